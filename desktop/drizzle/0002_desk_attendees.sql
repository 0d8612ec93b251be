CREATE TABLE `desk_attendees` (
	`attendee_id` text PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`seen` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `desk_attendees_seen_idx` ON `desk_attendees` (`seen`);