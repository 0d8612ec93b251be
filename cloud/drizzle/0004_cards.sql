ALTER TABLE "attendees" ADD COLUMN "stripe_setup_intent_id" text;
--> statement-breakpoint
ALTER TABLE "attendees" ADD COLUMN "card_setup_attempt" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "attendees" ADD COLUMN "card_error" text;
--> statement-breakpoint
CREATE INDEX "attendees_event_email_idx" ON "attendees" USING btree ("event_id",lower("email")) WHERE "attendees"."email" is not null;
