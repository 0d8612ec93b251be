CREATE TABLE "exports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"file_name" text,
	"rows" integer,
	"bytes" bigint,
	"error" text,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "promotions" (
	"event_id" text NOT NULL,
	"id" text NOT NULL,
	"kind" text NOT NULL,
	"body" jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deactivated_at" timestamp with time zone,
	CONSTRAINT "promotions_event_id_id_pk" PRIMARY KEY("event_id","id")
);
--> statement-breakpoint
CREATE TABLE "tab_facts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"band_uid" text,
	"kind" text NOT NULL,
	"body" jsonb NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tax_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"body" jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deactivated_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "tabs" ADD COLUMN "currency" text;--> statement-breakpoint
ALTER TABLE "tabs" ADD COLUMN "subtotal" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tabs" ADD COLUMN "discounts" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tabs" ADD COLUMN "tax" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tabs" ADD COLUMN "tips" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tabs" ADD COLUMN "refunds" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tabs" ADD COLUMN "priced" jsonb;--> statement-breakpoint
ALTER TABLE "exports" ADD CONSTRAINT "exports_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotions" ADD CONSTRAINT "promotions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tab_facts" ADD CONSTRAINT "tab_facts_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tax_rules" ADD CONSTRAINT "tax_rules_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exports_event_idx" ON "exports" USING btree ("event_id","requested_at");--> statement-breakpoint
CREATE INDEX "tab_facts_event_band_idx" ON "tab_facts" USING btree ("event_id","band_uid");--> statement-breakpoint
CREATE INDEX "tab_facts_event_kind_idx" ON "tab_facts" USING btree ("event_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "tax_rules_active_category_idx" ON "tax_rules" USING btree ("event_id",("body"->>'category')) WHERE "tax_rules"."active";