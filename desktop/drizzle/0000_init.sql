CREATE TABLE `config` (
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`kind`, `key`)
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`kind` text NOT NULL,
	`band_uid` text NOT NULL,
	`total` integer NOT NULL,
	`voids_order_id` text,
	`body` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`reject_reason` text,
	`offline` integer NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_seq_unique` ON `orders` (`seq`);--> statement-breakpoint
CREATE INDEX `orders_band_idx` ON `orders` (`band_uid`);--> statement-breakpoint
CREATE INDEX `orders_voids_idx` ON `orders` (`voids_order_id`);--> statement-breakpoint
CREATE INDEX `orders_offline_status_idx` ON `orders` (`offline`,`status`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
