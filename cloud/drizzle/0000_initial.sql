CREATE TABLE "config_changes" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"venue_id" text NOT NULL,
	"kind" text NOT NULL,
	"entity_key" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"venue_id" text NOT NULL,
	"name" text NOT NULL,
	"currency" text NOT NULL,
	"data" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_conflicts" (
	"id" serial PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"hub_id" text NOT NULL,
	"body" jsonb NOT NULL,
	"fingerprint" text NOT NULL,
	"existing_fingerprint" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"venue_id" text NOT NULL,
	"hub_id" text NOT NULL,
	"event_id" text NOT NULL,
	"terminal_id" text NOT NULL,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"band_uid" text NOT NULL,
	"total" bigint,
	"currency" text,
	"voids_order_id" uuid,
	"body" jsonb NOT NULL,
	"fingerprint" text NOT NULL,
	"terminal_created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tabs" (
	"event_id" text NOT NULL,
	"band_uid" text NOT NULL,
	"total" bigint NOT NULL,
	"sales" integer NOT NULL,
	"voided" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tabs_event_id_band_uid_pk" PRIMARY KEY("event_id","band_uid")
);
--> statement-breakpoint
CREATE TABLE "venues" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "venues_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
ALTER TABLE "config_changes" ADD CONSTRAINT "config_changes_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "config_changes_venue_seq_idx" ON "config_changes" USING btree ("venue_id","seq");--> statement-breakpoint
CREATE INDEX "events_venue_idx" ON "events" USING btree ("venue_id");--> statement-breakpoint
CREATE UNIQUE INDEX "order_conflicts_order_fp_idx" ON "order_conflicts" USING btree ("order_id","fingerprint");--> statement-breakpoint
CREATE INDEX "orders_event_id_idx" ON "orders" USING btree ("event_id","id");--> statement-breakpoint
CREATE INDEX "orders_event_band_idx" ON "orders" USING btree ("event_id","band_uid");--> statement-breakpoint
CREATE INDEX "orders_voids_idx" ON "orders" USING btree ("voids_order_id") WHERE "orders"."voids_order_id" is not null;