CREATE TABLE `attendee_words` (
	`word` text NOT NULL,
	`attendee_id` text NOT NULL,
	PRIMARY KEY(`word`, `attendee_id`)
);
--> statement-breakpoint
CREATE INDEX `attendee_words_attendee` ON `attendee_words` (`attendee_id`);--> statement-breakpoint
CREATE TABLE `attendees` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`data` text NOT NULL,
	`source` text NOT NULL,
	`email` text,
	`phone_rev` text,
	`confirmation_code` text,
	`sort_name` text NOT NULL,
	`seq` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `attendees_email` ON `attendees` (`email`);--> statement-breakpoint
CREATE INDEX `attendees_phone_rev` ON `attendees` (`phone_rev`);--> statement-breakpoint
CREATE INDEX `attendees_code` ON `attendees` (`confirmation_code`);--> statement-breakpoint
CREATE TABLE `band_overlay` (
	`band_uid` text PRIMARY KEY NOT NULL,
	`pairing_fact_id` text,
	`attendee_id` text,
	`pairing_acked_gen` integer,
	`block_fact_id` text,
	`cloud_data` text
);
--> statement-breakpoint
CREATE INDEX `band_overlay_pairing` ON `band_overlay` (`pairing_fact_id`);--> statement-breakpoint
CREATE INDEX `band_overlay_attendee` ON `band_overlay` (`attendee_id`);--> statement-breakpoint
-- Hand-fixed: drizzle-kit 0.x quotes an expression index wrongly. Queries must use this exact expression and WHERE.
CREATE INDEX `config_band_attendee` ON `config` (json_extract(`data`, '$.attendeeId')) WHERE `kind` = 'band';