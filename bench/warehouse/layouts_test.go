package warehouse

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
)

// ga4Query rewrites the demo's flat events into the GA4 BigQuery export's
// shape: one row per event, event_params a list of key/value structs,
// geo and ecommerce structs, items a list of structs (empty for a sign-up),
// and user_pseudo_id a string. DuckDB writes the nested columns with its own
// Parquet writer.
const ga4Query = `SELECT
	strftime(event_time, '%Y%m%d') AS event_date,
	epoch_us(event_time) AS event_timestamp,
	CASE event_type WHEN 'view' THEN 'view_item' WHEN 'cart' THEN 'add_to_cart'
		WHEN 'remove_from_cart' THEN 'remove_from_cart' WHEN 'purchase' THEN 'purchase'
		WHEN 'refund' THEN 'refund' WHEN 'subscribe' THEN 'sign_up' END AS event_name,
	[{key: 'page_location', value: {string_value: 'https://shop.example/p', int_value: NULL::BIGINT}},
	 {key: 'ga_session_id', value: {string_value: NULL::VARCHAR, int_value: (hash(user_session) % 1000000007)::BIGINT}}] AS event_params,
	NULL::VARCHAR AS user_id,
	'ga-' || md5(CAST(user_id AS VARCHAR)) AS user_pseudo_id,
	{continent: 'Europe', country: country} AS geo,
	{transaction_id: order_id, purchase_revenue: price * quantity} AS ecommerce,
	CASE WHEN event_type = 'subscribe' THEN []
		ELSE [{item_id: CAST(product_id AS VARCHAR), item_category: CAST(category_id AS VARCHAR),
			price: price, quantity: CAST(quantity AS BIGINT), coupon: coupon_code}] END AS items
FROM {src}
UNION ALL
-- events of a site that are not e-commerce events: counted, not rejected
SELECT strftime(event_time, '%Y%m%d'), epoch_us(event_time) + 1, 'page_view',
	[{key: 'ga_session_id', value: {string_value: NULL::VARCHAR, int_value: (hash(user_session) % 1000000007)::BIGINT}}],
	NULL, 'ga-' || md5(CAST(user_id AS VARCHAR)), {continent: 'Europe', country: country},
	NULL, []
FROM {src} WHERE event_type = 'view'`

// segmentQuery rewrites the demo's events into a warehoused Segment tracks
// table: spec event names, snake_case columns, string user ids, and track
// calls of other kinds.
const segmentQuery = `SELECT
	event_time AS "timestamp",
	CASE event_type WHEN 'view' THEN 'Product Viewed' WHEN 'cart' THEN 'Product Added'
		WHEN 'remove_from_cart' THEN 'Product Removed' WHEN 'purchase' THEN 'Order Completed'
		WHEN 'refund' THEN 'Order Refunded' WHEN 'subscribe' THEN 'Signed Up' END AS event_text,
	'seg-' || md5(CAST(user_id AS VARCHAR)) AS user_id,
	'anon-' || md5(user_session) AS anonymous_id,
	user_session AS context_session_id,
	CAST(product_id AS VARCHAR) AS product_id, CAST(category_id AS VARCHAR) AS category,
	order_id, price, quantity, coupon_code AS coupon, discount, country
FROM {src}
UNION ALL
SELECT event_time + INTERVAL 1 SECOND, 'Checkout Started', 'seg-' || md5(CAST(user_id AS VARCHAR)),
	'anon-' || md5(user_session), user_session, NULL, NULL, NULL, NULL, NULL, NULL, NULL, country
FROM {src} WHERE event_type = 'cart'`

// TestExportLayoutsReadBack: DuckDB writes the demo's events in the GA4
// export layout (nested structs and lists) and as a Segment tracks table;
// segmint runs each with nothing but its preset. Every output table passes
// the contract with string customer ids, and every feature the layout can
// carry equals the flat run's for the same customer (GA4 exports no
// discounts, so the discount features are left out there).
func TestExportLayoutsReadBack(t *testing.T) {
	ctx := t.Context()
	c, db, events := demoSetup(t)
	dir := t.TempDir()
	flatDir := filepath.Join(dir, "flat")
	runPipeline(ctx, t, pipeline.RunOptions{Events: []string{events}, Out: flatDir})
	flat := flatRun(t, db, "flat demo run", "flat", flatDir)
	src := readParquet(events)
	for _, v := range []struct {
		preset, query, prefix string
		skip                  []string // features the layout cannot carry
	}{
		{"ga4", ga4Query, "ga-", []string{"discount_share"}},
		{"segment", segmentQuery, "seg-", nil},
	} {
		t.Run(v.preset, func(t *testing.T) {
			file := filepath.Join(dir, v.preset+".parquet")
			db.exec(t, fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet)", strings.ReplaceAll(v.query, "{src}", src), sqlString(file)))
			layout, err := source.Preset(v.preset)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, v.preset+"-run")
			runPipeline(ctx, t, pipeline.RunOptions{Events: []string{file}, Out: out, Scan: source.ScanOptions{Layout: layout}})
			r := flatRun(t, db, v.preset+" run", v.preset+"_run", out)
			r.idType = "string"
			for _, table := range r.man.tables() {
				t.Run(table, func(t *testing.T) { checkFile(t, db, c, r, table, r.files[table]) })
			}
			t.Run("values", func(t *testing.T) { checkValues(t, db, r) })

			var nFlat, nRun, joined int64
			db.scan(t, "customers", "SELECT count(*) FROM flat.customers", &nFlat)
			db.scan(t, "customers", "SELECT count(*) FROM "+r.schema+".customers", &nRun)
			db.scan(t, "customers joined on the id", fmt.Sprintf(
				`SELECT count(*) FROM flat.customers f JOIN %s.customers g ON g.customer_id = '%s' || md5(CAST(f.customer_id AS VARCHAR))`, r.schema, v.prefix), &joined)
			if nRun != nFlat || joined != nFlat {
				t.Fatalf("%d customers from the flat file, %d from %s, %d of them joined on the id", nFlat, nRun, v.preset, joined)
			}
			compared := 0
			for _, f := range c.features() {
				if slices.Contains(v.skip, f) || !db.hasColumn(t, flat.files["customers"], f) {
					continue
				}
				if !db.hasColumn(t, r.files["customers"], f) {
					t.Errorf("%s: computed from the flat file, not from the %s one", f, v.preset)
					continue
				}
				compared++
				db.expectNone(t, v.preset+" run", valueCheck{"same_" + f, f + " equals the flat run's for every customer", fmt.Sprintf(
					`SELECT f.customer_id, f.%[1]s, g.%[1]s FROM flat.customers f JOIN {s}.customers g ON g.customer_id = '%[2]s' || md5(CAST(f.customer_id AS VARCHAR))
					WHERE NOT (f.%[1]s IS NULL AND g.%[1]s IS NULL) AND (f.%[1]s IS NULL OR g.%[1]s IS NULL OR abs(f.%[1]s - g.%[1]s) > 1e-9 * greatest(1, abs(f.%[1]s))) LIMIT 5`,
					f, v.prefix)}, r.schema)
			}
			if compared < 15 {
				t.Errorf("only %d features compared", compared)
			}
			t.Logf("%s: %d customers, %d features equal to the flat run's", v.preset, nRun, compared)
		})
	}
}
