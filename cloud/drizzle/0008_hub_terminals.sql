CREATE TABLE "hub_terminals" (
	"venue_id" text NOT NULL,
	"terminal_id" text NOT NULL,
	"hub_id" text NOT NULL,
	"label" text NOT NULL,
	"paired_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone,
	"online" boolean NOT NULL,
	"backlog" integer,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hub_terminals_venue_id_terminal_id_pk" PRIMARY KEY("venue_id","terminal_id")
);
--> statement-breakpoint
CREATE TABLE "terminal_sales" (
	"event_id" text NOT NULL,
	"terminal_id" text NOT NULL,
	"venue_id" text NOT NULL,
	"hub_id" text NOT NULL,
	"sales" bigint NOT NULL,
	"voids" bigint NOT NULL,
	"last_seq" integer NOT NULL,
	"last_order_at" timestamp with time zone NOT NULL,
	CONSTRAINT "terminal_sales_event_id_terminal_id_pk" PRIMARY KEY("event_id","terminal_id")
);
--> statement-breakpoint
ALTER TABLE "hub_terminals" ADD CONSTRAINT "hub_terminals_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "public"."venues"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "terminal_sales" ADD CONSTRAINT "terminal_sales_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- Hand-written: the counts of the orders stored before this migration (ingest keeps them from now on).
INSERT INTO "terminal_sales" ("event_id", "terminal_id", "venue_id", "hub_id", "sales", "voids", "last_seq", "last_order_at")
SELECT "event_id", "terminal_id", max("venue_id"), (array_agg("hub_id" ORDER BY "received_at" DESC, "seq" DESC))[1],
	count(*) FILTER (WHERE "kind" = 'sale'), count(*) FILTER (WHERE "kind" = 'void'), max("seq"), max("received_at")
FROM "orders" GROUP BY "event_id", "terminal_id";
