CREATE TABLE "registration_facts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"venue_id" text NOT NULL,
	"hub_id" text NOT NULL,
	"event_id" text NOT NULL,
	"terminal_id" text NOT NULL,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"band_uid" text,
	"attendee_id" text,
	"replaces_band_uid" text,
	"body" jsonb NOT NULL,
	"fingerprint" text NOT NULL,
	"terminal_created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "registration_facts" ADD CONSTRAINT "registration_facts_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "registration_facts_event_band_idx" ON "registration_facts" USING btree ("event_id","band_uid") WHERE "band_uid" is not null;
--> statement-breakpoint
CREATE INDEX "registration_facts_event_attendee_idx" ON "registration_facts" USING btree ("event_id","attendee_id") WHERE "attendee_id" is not null;
--> statement-breakpoint
CREATE TABLE "registration_conflicts" (
	"loser_fact_id" uuid PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"kind" text NOT NULL,
	"winner_fact_id" uuid NOT NULL,
	"detected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "registration_conflicts" ADD CONSTRAINT "registration_conflicts_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "registration_conflicts_event_idx" ON "registration_conflicts" USING btree ("event_id","detected_at","loser_fact_id");
--> statement-breakpoint
ALTER TABLE "attendees" ADD COLUMN "confirmation_code" text;
--> statement-breakpoint
CREATE UNIQUE INDEX "attendees_event_confirmation_code_idx" ON "attendees" USING btree ("event_id","confirmation_code") WHERE "confirmation_code" is not null;
