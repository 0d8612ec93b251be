CREATE TABLE `cloud_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` text NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cloud_outbox_order` ON `cloud_outbox` (`order_id`);--> statement-breakpoint
CREATE TABLE `config` (
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`data` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`kind`, `key`)
);
--> statement-breakpoint
CREATE TABLE `conflicts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` text NOT NULL,
	`terminal_id` text NOT NULL,
	`body` text NOT NULL,
	`fingerprint` text NOT NULL,
	`existing_fingerprint` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conflicts_order_fingerprint` ON `conflicts` (`order_id`,`fingerprint`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`terminal_id` text NOT NULL,
	`seq` integer NOT NULL,
	`event_id` text NOT NULL,
	`kind` text NOT NULL,
	`band_uid` text NOT NULL,
	`total` integer,
	`body` text NOT NULL,
	`fingerprint` text NOT NULL,
	`received_at` text NOT NULL,
	FOREIGN KEY (`terminal_id`) REFERENCES `terminals`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `orders_terminal_seq` ON `orders` (`terminal_id`,`seq`);--> statement-breakpoint
CREATE INDEX `orders_band` ON `orders` (`band_uid`);--> statement-breakpoint
CREATE TABLE `rejected` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` text NOT NULL,
	`body` text NOT NULL,
	`error` text NOT NULL,
	`rejected_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rejected_order_id_unique` ON `rejected` (`order_id`);--> statement-breakpoint
CREATE TABLE `terminals` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`paired_at` text NOT NULL,
	`last_seen_at` text
);
