package proxy

// Upstream names: the keys of Options.Upstreams.
const (
	Users    = "users"
	Catalog  = "catalog"
	Orders   = "orders"
	Payments = "payments"
)

// route sends every request whose path is prefix, or lies under prefix/,
// to upstream. An exact route matches its path only.
type route struct {
	path     string
	upstream string
	exact    bool
}

// routes is the public API of DESIGN §5 by owning service.
var routes = []route{
	{path: "/api/v1/auth", upstream: Users},
	{path: "/api/v1/users", upstream: Users},
	{path: "/.well-known/jwks.json", upstream: Users, exact: true},

	{path: "/api/v1/products", upstream: Catalog},
	{path: "/api/v1/categories", upstream: Catalog},
	{path: "/api/v1/merchant/products", upstream: Catalog},

	{path: "/api/v1/cart", upstream: Orders},
	{path: "/api/v1/checkout", upstream: Orders, exact: true},
	{path: "/api/v1/orders", upstream: Orders},
	{path: "/api/v1/merchant/orders", upstream: Orders},
	{path: "/api/v1/merchant/analytics", upstream: Orders},

	{path: "/api/v1/payments", upstream: Payments},
}

// upstreamNames lists every upstream the routes need, in a stable order.
var upstreamNames = []string{Users, Catalog, Orders, Payments}
