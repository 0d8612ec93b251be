CREATE TABLE `band_tabs` (
	`band_uid` text PRIMARY KEY NOT NULL,
	`total` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `orders` ADD `voids_order_id` text;--> statement-breakpoint
CREATE INDEX `orders_voids` ON `orders` (`voids_order_id`);--> statement-breakpoint
-- Backfill for hubs that already hold orders: the void links from the stored bodies, then every band's tab from them.
UPDATE `orders` SET `voids_order_id` = json_extract(`body`, '$.voidsOrderId') WHERE `kind` = 'void';--> statement-breakpoint
INSERT INTO `band_tabs` (`band_uid`, `total`)
SELECT o.`band_uid`, sum(o.`total`) FROM `orders` o
WHERE o.`kind` = 'sale' AND NOT EXISTS (SELECT 1 FROM `orders` v WHERE v.`voids_order_id` = o.`id`)
GROUP BY o.`band_uid`;
