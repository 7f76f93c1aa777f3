package proxy

import "net/http"

// Upstream names: the keys of Options.Upstreams.
const (
	Users    = "users"
	Catalog  = "catalog"
	Orders   = "orders"
	Payments = "payments"
	// Analytics serves the merchant dashboard, its stream and reports.
	Analytics = "analytics"
	// Notifications serves email preferences and merchants' webhooks.
	Notifications = "notifications"
)

// route sends every request whose path is prefix, or lies under prefix/,
// to upstream. An exact route matches its path only. methods is the route's
// allow-list (any other method is 405 with Allow and never reaches the
// upstream); nil allows defaultMethods.
type route struct {
	path     string
	upstream string
	exact    bool
	methods  []string
}

// Method allow-lists of the routes.
var (
	readOnly       = []string{http.MethodGet, http.MethodHead}
	readPost       = []string{http.MethodGet, http.MethodHead, http.MethodPost}
	postOnly       = []string{http.MethodPost}
	defaultMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
)

// routes is the public API of docs/api.md by owning service.
var routes = []route{
	{path: "/api/v1/auth", upstream: Users, methods: readPost},
	// Exact: gin cannot mount /api/v1/users/*rest beside the notifications
	// route below, and the users service serves /api/v1/users/me only.
	{path: "/api/v1/users/me", upstream: Users, exact: true, methods: readOnly},
	{path: "/api/v1/users/me/notifications", upstream: Notifications, exact: true,
		methods: []string{http.MethodGet, http.MethodHead, http.MethodPut}},
	{path: "/api/v1/users/me/addresses", upstream: Users,
		methods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete}},
	{path: "/.well-known/jwks.json", upstream: Users, exact: true, methods: readOnly},

	// POST: a signed-in shopper's review (authn keeps products public for reads only).
	{path: "/api/v1/products", upstream: Catalog, methods: readPost},
	{path: "/api/v1/categories", upstream: Catalog, methods: readOnly},
	{path: "/api/v1/merchant/products", upstream: Catalog,
		methods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete}},

	{path: "/api/v1/cart", upstream: Orders, // POST: a discount code
		methods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete}},
	{path: "/api/v1/checkout", upstream: Orders, exact: true, methods: postOnly},
	{path: "/api/v1/orders", upstream: Orders, methods: readPost},
	{path: "/api/v1/merchant/orders", upstream: Orders, methods: readPost},
	{path: "/api/v1/merchant/discounts", upstream: Orders,
		methods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete}},
	{path: "/api/v1/merchant/shipping", upstream: Orders, exact: true,
		methods: []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete}},
	{path: "/api/v1/merchant/analytics", upstream: Analytics, methods: readOnly},
	{path: "/api/v1/merchant/reports", upstream: Analytics, methods: readOnly},

	{path: "/api/v1/payments", upstream: Payments, methods: readPost},

	{path: "/api/v1/merchant/webhooks", upstream: Notifications, methods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodDelete}},
}

// upstreamNames lists every upstream the routes need, in a stable order.
var upstreamNames = []string{Users, Catalog, Orders, Payments, Analytics, Notifications}
