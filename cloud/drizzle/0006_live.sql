CREATE TABLE "hub_uploads" (
	"venue_id" text NOT NULL,
	"hub_id" text NOT NULL,
	"first_push_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_push_at" timestamp with time zone NOT NULL,
	"last_batch" integer NOT NULL,
	"backlog" integer,
	"pushes" bigint DEFAULT 0 NOT NULL,
	"orders_pushed" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "hub_uploads_venue_id_hub_id_pk" PRIMARY KEY("venue_id","hub_id")
);
--> statement-breakpoint
ALTER TABLE "hub_uploads" ADD CONSTRAINT "hub_uploads_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE no action ON UPDATE no action;
