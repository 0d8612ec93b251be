CREATE TABLE "attendees" (
	"event_id" text NOT NULL,
	"id" text NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text,
	"email" text,
	"phone" text,
	"sms_consent" boolean DEFAULT false NOT NULL,
	"card_status" text DEFAULT 'none' NOT NULL,
	"stripe_customer_id" text,
	"stripe_payment_method_id" text,
	"card_last4" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attendees_event_id_id_pk" PRIMARY KEY("event_id","id")
);
--> statement-breakpoint
CREATE TABLE "bands" (
	"event_id" text NOT NULL,
	"uid" text NOT NULL,
	"venue_id" text NOT NULL,
	"attendee_id" text,
	"status" text NOT NULL,
	"seq" bigint NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "bands_event_id_uid_pk" PRIMARY KEY("event_id","uid")
);
--> statement-breakpoint
CREATE TABLE "event_payment_settings" (
	"event_id" text PRIMARY KEY NOT NULL,
	"hold_amount" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"band_uid" text NOT NULL,
	"attendee_id" text NOT NULL,
	"kind" text NOT NULL,
	"attempt" integer NOT NULL,
	"idempotency_key" text NOT NULL,
	"intent_id" text,
	"status" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"customer_id" text,
	"payment_method_id" text,
	"held_at" timestamp with time zone,
	"released_at" timestamp with time zone,
	"decline_code" text,
	"decline_message" text,
	"error_code" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "sms_bulks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"body" text NOT NULL,
	"status" text NOT NULL,
	"recipients" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"fanned_out_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sms_messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"kind" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"attendee_id" text NOT NULL,
	"to_phone" text NOT NULL,
	"body" text NOT NULL,
	"reference" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"lease_until" timestamp with time zone,
	"first_send_at" timestamp with time zone,
	"sid" text,
	"error_code" text,
	"error" text,
	"order_id" uuid,
	"bulk_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sms_messages_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "tab_payments" (
	"event_id" text NOT NULL,
	"band_uid" text NOT NULL,
	"attendee_id" text NOT NULL,
	"status" text NOT NULL,
	"hold_payment_id" uuid,
	"hold_amount" bigint,
	"captured_amount" bigint,
	"outstanding" bigint DEFAULT 0 NOT NULL,
	"payment_method_id" text,
	"decline_code" text,
	"reason" text,
	"flagged_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tab_payments_event_id_band_uid_pk" PRIMARY KEY("event_id","band_uid")
);
--> statement-breakpoint
ALTER TABLE "attendees" ADD CONSTRAINT "attendees_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bands" ADD CONSTRAINT "bands_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_payment_settings" ADD CONSTRAINT "event_payment_settings_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sms_bulks" ADD CONSTRAINT "sms_bulks_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sms_messages" ADD CONSTRAINT "sms_messages_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tab_payments" ADD CONSTRAINT "tab_payments_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bands_attendee_idx" ON "bands" USING btree ("event_id","attendee_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_tab_kind_attempt_idx" ON "payments" USING btree ("event_id","band_uid","kind","attempt");--> statement-breakpoint
CREATE INDEX "sms_messages_event_idx" ON "sms_messages" USING btree ("event_id","created_at");--> statement-breakpoint
CREATE INDEX "sms_messages_bulk_idx" ON "sms_messages" USING btree ("bulk_id") WHERE "sms_messages"."bulk_id" is not null;--> statement-breakpoint
CREATE INDEX "tab_payments_status_idx" ON "tab_payments" USING btree ("event_id","status");--> statement-breakpoint
-- The bands projection starts from what the configuration log already holds: the latest entity of each band.
INSERT INTO "bands" ("event_id", "uid", "venue_id", "attendee_id", "status", "seq", "data")
SELECT DISTINCT ON (c."data"->>'eventId', c."entity_key")
  c."data"->>'eventId', c."entity_key", c."venue_id", c."data"->>'attendeeId', c."data"->>'status', c."seq", c."data"
FROM "config_changes" c
JOIN "events" e ON e."id" = c."data"->>'eventId'
WHERE c."kind" = 'band'
ORDER BY c."data"->>'eventId', c."entity_key", c."seq" DESC;
