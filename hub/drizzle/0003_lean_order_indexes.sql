-- Every page an order writes is written again in each commit a terminal's ack waits for, so the order path keeps only
-- what a query reads. cloud_outbox loses AUTOINCREMENT (its sqlite_sequence row) and the unique index on order_id
-- (nothing looks a row up by order; an order gets its one row only when its own row is new); ids keep their values.
CREATE TABLE `__new_cloud_outbox` (
	`id` integer PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_cloud_outbox` (`id`, `order_id`) SELECT `id`, `order_id` FROM `cloud_outbox`;--> statement-breakpoint
DROP TABLE `cloud_outbox`;--> statement-breakpoint
ALTER TABLE `__new_cloud_outbox` RENAME TO `cloud_outbox`;--> statement-breakpoint
-- orders_band had no reader (band_tabs answers per-band questions); orders_voids keeps the voids only, which every
-- `voids_order_id = ?` lookup can still use, so a sale no longer writes to it.
DROP INDEX `orders_band`;--> statement-breakpoint
DROP INDEX `orders_voids`;--> statement-breakpoint
CREATE INDEX `orders_voids` ON `orders` (`voids_order_id`) WHERE `voids_order_id` IS NOT NULL;
