package bench

import (
	"fmt"
	"strings"
)

// whitespace is what Go's strings.TrimSpace removes from ASCII strings
// (event types, coupon codes and countries are trimmed with it).
const whitespace = " \t\n\v\f\r"

// trendWindowUS is features.DefaultTrendWindowDays in microseconds.
const trendWindowUS = 14 * 86_400_000_000

// FeatureColumns are the columns of FeatureSQL after customer, in order:
// every feature of segmint's catalogue, then country.
var FeatureColumns = []string{
	"total_spend", "orders", "order_frequency", "recency_days", "days_since_last_event",
	"tenure_days", "avg_order_value", "items_per_order", "avg_item_price", "coupon_ratio",
	"discount_share", "views", "cart_adds", "sessions", "browse_without_buy",
	"cart_abandonment_rate", "abandoned_carts", "trend_adoption", "mean_gap_days", "gap_regularity",
	"overdue_ratio", "distinct_categories", "refund_rate", "subscribed",
	"days_first_to_last_order", "days_since_first_order", "repeat_order_value",
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// FeatureSQL returns the SELECT that computes segmint's features over the
// Parquet files: one row per customer, ordered by customer, with the columns
// customer, FeatureColumns... (DOUBLE, NULL where undefined) and country
// (VARCHAR, NULL where unknown).
//
// It follows the two passes of source.ComputeFeatures: the product launches
// and the time window come from one aggregate over every row with a time
// (kept, being small), and the per-customer aggregates, the sessions and the orders
// are three more aggregates over the same filtered events, which DuckDB
// reads again from Parquet (the events CTE is not materialised).
func FeatureSQL(files []string) string {
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = sqlString(f)
	}
	ws := sqlString(whitespace)
	// Event type codes as in features.EventType; the aliases are those of
	// features.ParseEventType.
	eventType := fmt.Sprintf(`CASE lower(trim(event_type, %s))
        WHEN 'view' THEN 1 WHEN 'page_view' THEN 1 WHEN 'pageview' THEN 1 WHEN 'product_view' THEN 1
        WHEN 'cart' THEN 2 WHEN 'addtocart' THEN 2 WHEN 'add_to_cart' THEN 2
        WHEN 'remove_from_cart' THEN 3 WHEN 'removefromcart' THEN 3
        WHEN 'purchase' THEN 4 WHEN 'transaction' THEN 4 WHEN 'order' THEN 4
        WHEN 'refund' THEN 5 WHEN 'return' THEN 5 WHEN 'cancel' THEN 5 WHEN 'cancellation' THEN 5
        WHEN 'subscribe' THEN 6 WHEN 'signup' THEN 6 WHEN 'newsletter' THEN 6 WHEN 'newsletter_signup' THEN 6
      END`, ws)
	return fmt.Sprintf(`WITH
src AS NOT MATERIALIZED (
  SELECT
    CAST(user_id AS BIGINT) AS customer,
    epoch_us(event_time) AS t,
    %[2]s AS typ,
    CAST(price AS DOUBLE) AS price,
    CAST(quantity AS DOUBLE) AS quantity,
    coalesce(CAST(product_id AS BIGINT), 0) AS product,
    coalesce(CAST(category_id AS BIGINT), 0) AS category,
    nullif(user_session, '') AS session,
    nullif(order_id, '') AS order_id,
    coalesce(trim(coupon_code, %[3]s) <> '', false) AS has_coupon,
    CAST(discount AS DOUBLE) AS discount,
    nullif(trim(country, %[3]s), '') AS country
  FROM read_parquet([%[1]s])
),
-- The row filters of source/decode.go; money in micro-units rounded to
-- the nearest as features.ToMoney does, quantity 1 where absent.
ev AS NOT MATERIALIZED (
  SELECT
    customer, t, typ, product, category, session, order_id, has_coupon, country,
    coalesce(CAST(round(price * 1e6) AS BIGINT), 0) AS price_m,
    coalesce(CAST(round(quantity) AS BIGINT), 1) AS qty,
    CASE WHEN discount > 0 AND discount < 1e9 THEN CAST(round(discount * 1e6) AS BIGINT) ELSE 0 END AS discount_m
  FROM src
  WHERE customer IS NOT NULL AND t IS NOT NULL AND typ IS NOT NULL
    AND (price IS NOT NULL OR typ NOT IN (4, 5))
    AND (price IS NULL OR (price >= 0 AND price <= 1e9))
    AND (quantity IS NULL OR abs(quantity) <= 1e7)
),
-- Pass 1: first appearance of every product, and the window, over every
-- row with a time (the other row filters do not apply to this pass).
products AS MATERIALIZED (
  SELECT product, min(t) AS first_t, max(t) AS last_t FROM src WHERE t IS NOT NULL GROUP BY product
),
win AS MATERIALIZED (
  SELECT min(first_t) AS start_t, max(last_t) AS asof_t FROM products
),
launch AS (
  SELECT p.product, p.first_t
  FROM products p, win w
  WHERE p.product <> 0 AND p.first_t >= w.start_t + %[4]d
),
-- Pass 2: per-customer counts and sums.
base AS (
  SELECT
    e.customer,
    min(e.t) AS first_t,
    max(e.t) AS last_t,
    count(*) FILTER (WHERE e.typ = 1) AS views,
    count(*) FILTER (WHERE e.typ = 2) AS cart_adds,
    count(*) FILTER (WHERE e.typ = 4) AS purchase_rows,
    max(e.t) FILTER (WHERE e.typ = 4) AS last_purchase,
    coalesce(sum(e.qty) FILTER (WHERE e.typ = 4), 0) AS units,
    coalesce(sum(e.price_m * e.qty) FILTER (WHERE e.typ = 4), 0) AS spend,
    count(*) FILTER (WHERE e.typ = 4 AND (e.discount_m > 0 OR e.has_coupon)) AS coupon_rows,
    coalesce(sum(e.discount_m) FILTER (WHERE e.typ = 4), 0) AS discount,
    count(*) FILTER (WHERE e.typ = 5) AS refund_rows,
    count(*) FILTER (WHERE e.typ = 6) AS subscribes,
    count(*) FILTER (WHERE e.typ = 4 AND e.t - l.first_t <= %[4]d) AS trend_rows,
    count(DISTINCT e.category) FILTER (WHERE e.typ = 4 AND e.category <> 0) AS categories,
    max({'t': e.t, 'country': e.country}) FILTER (WHERE e.country IS NOT NULL) AS latest_country
  FROM ev e LEFT JOIN launch l ON e.product = l.product
  GROUP BY e.customer
),
-- Sessions: flags per distinct (customer, session).
sess AS (
  SELECT customer, session,
    bool_or(typ = 1) AS viewed, bool_or(typ = 2) AS carted, bool_or(typ = 4) AS bought
  FROM ev WHERE session IS NOT NULL
  GROUP BY customer, session
),
sess_agg AS (
  SELECT customer,
    count(*) AS sessions,
    count(*) FILTER (WHERE viewed AND NOT bought) AS browse_no_buy,
    count(*) FILTER (WHERE carted) AS with_cart,
    count(*) FILTER (WHERE carted AND NOT bought) AS cart_no_buy
  FROM sess GROUP BY customer
),
-- Orders: order_id, else the session, else the purchase minute; each
-- order's time is its earliest purchase.
ord AS (
  SELECT customer,
    coalesce(order_id, session, 'minute:' || CAST(t // 60000000 AS VARCHAR)) AS order_key,
    min(t) AS order_t,
    sum(price_m * qty) AS order_spend
  FROM ev WHERE typ = 4
  GROUP BY customer, order_key
),
-- The purchase models' summary: the first and last order's times and the
-- first order's spend (on equal times segmint takes the smaller key of its
-- own hashing, which SQL cannot; the generator's orders never tie).
ord_first AS (
  SELECT customer, min(order_t) AS first_order_t, max(order_t) AS last_order_t,
    arg_min(order_spend, order_t) AS first_order_spend
  FROM ord GROUP BY customer
),
gaps AS (
  SELECT customer,
    CAST(order_t - lag(order_t) OVER (PARTITION BY customer ORDER BY order_t) AS DOUBLE) / 86400000000 AS gap
  FROM ord
),
ord_agg AS (
  SELECT customer, count(*) AS orders, count(gap) AS n_gaps, avg(gap) AS mean_gap, stddev_pop(gap) AS sd_gap
  FROM gaps GROUP BY customer
),
joined AS (
  SELECT b.*, w.asof_t,
    coalesce(o.orders, 0) AS orders, coalesce(o.n_gaps, 0) AS n_gaps, o.mean_gap, o.sd_gap,
    f.first_order_t, f.last_order_t, f.first_order_spend,
    coalesce(s.sessions, 0) AS sessions, coalesce(s.browse_no_buy, 0) AS browse_no_buy,
    coalesce(s.with_cart, 0) AS with_cart, coalesce(s.cart_no_buy, 0) AS cart_no_buy,
    CAST(w.asof_t - b.last_purchase AS DOUBLE) / 86400000000 AS recency,
    CAST(w.asof_t - b.first_t AS DOUBLE) / 86400000000 AS tenure
  FROM base b CROSS JOIN win w
    LEFT JOIN sess_agg s ON s.customer = b.customer
    LEFT JOIN ord_agg o ON o.customer = b.customer
    LEFT JOIN ord_first f ON f.customer = b.customer
)
SELECT
  customer,
  CAST(spend AS DOUBLE) / 1000000 AS total_spend,
  CAST(orders AS DOUBLE) AS orders,
  CAST(orders AS DOUBLE) * 30 / greatest(tenure, 30) AS order_frequency,
  CASE WHEN purchase_rows > 0 THEN recency END AS recency_days,
  CAST(asof_t - last_t AS DOUBLE) / 86400000000 AS days_since_last_event,
  tenure AS tenure_days,
  CASE WHEN orders > 0 THEN CAST(spend AS DOUBLE) / 1000000 / CAST(orders AS DOUBLE) END AS avg_order_value,
  CASE WHEN orders > 0 THEN CAST(units AS DOUBLE) / CAST(orders AS DOUBLE) END AS items_per_order,
  CASE WHEN units > 0 THEN CAST(spend AS DOUBLE) / 1000000 / CAST(units AS DOUBLE) END AS avg_item_price,
  CASE WHEN purchase_rows > 0 THEN CAST(coupon_rows AS DOUBLE) / CAST(purchase_rows AS DOUBLE) END AS coupon_ratio,
  CASE WHEN spend + discount > 0 THEN CAST(discount AS DOUBLE) / CAST(spend + discount AS DOUBLE) END AS discount_share,
  CAST(views AS DOUBLE) AS views,
  CAST(cart_adds AS DOUBLE) AS cart_adds,
  CAST(sessions AS DOUBLE) AS sessions,
  CASE WHEN sessions > 0 THEN CAST(browse_no_buy AS DOUBLE) / CAST(sessions AS DOUBLE) END AS browse_without_buy,
  CASE WHEN with_cart > 0 THEN CAST(cart_no_buy AS DOUBLE) / CAST(with_cart AS DOUBLE) END AS cart_abandonment_rate,
  CAST(cart_no_buy AS DOUBLE) AS abandoned_carts,
  CASE WHEN purchase_rows > 0 THEN CAST(trend_rows AS DOUBLE) / CAST(purchase_rows AS DOUBLE) END AS trend_adoption,
  CASE WHEN n_gaps >= 1 THEN mean_gap END AS mean_gap_days,
  CASE WHEN n_gaps >= 2 AND mean_gap > 0 THEN sd_gap / mean_gap END AS gap_regularity,
  CASE WHEN n_gaps >= 1 THEN recency / greatest(mean_gap, 1) END AS overdue_ratio,
  CAST(categories AS DOUBLE) AS distinct_categories,
  CASE WHEN purchase_rows > 0 THEN least(CAST(refund_rows AS DOUBLE) / CAST(purchase_rows AS DOUBLE), 1) END AS refund_rate,
  CASE WHEN subscribes > 0 THEN 1.0 ELSE 0.0 END AS subscribed,
  CASE WHEN orders > 0 THEN CAST(last_order_t // 86400000000 - first_order_t // 86400000000 AS DOUBLE) END AS days_first_to_last_order,
  CASE WHEN orders > 0 THEN CAST(asof_t // 86400000000 - first_order_t // 86400000000 AS DOUBLE) END AS days_since_first_order,
  CASE WHEN orders > 1 THEN CAST(spend - first_order_spend AS DOUBLE) / 1000000 / CAST(orders - 1 AS DOUBLE) END AS repeat_order_value,
  latest_country.country AS country
FROM joined
ORDER BY customer`, strings.Join(quoted, ", "), eventType, ws, trendWindowUS)
}
