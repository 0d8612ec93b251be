CREATE TABLE `venue_tabs` (
	`band_uid` text PRIMARY KEY NOT NULL,
	`total` integer NOT NULL
);
