ALTER TABLE "venues" ALTER COLUMN "key_hash" DROP NOT NULL;
--> statement-breakpoint
CREATE TABLE "venue_sync_state" (
	"venue_id" text PRIMARY KEY NOT NULL,
	"key_set_at" timestamp with time zone,
	"key_revoked_at" timestamp with time zone,
	"last_pull_at" timestamp with time zone,
	"last_pull_cursor" bigint
);
--> statement-breakpoint
ALTER TABLE "venue_sync_state" ADD CONSTRAINT "venue_sync_state_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE TABLE "event_sms_settings" (
	"event_id" text PRIMARY KEY NOT NULL,
	"receipt_template" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "event_sms_settings" ADD CONSTRAINT "event_sms_settings_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;
