package ratelimit

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// Class is a kind of request with its own budget.
type Class uint8

// The budget classes, from the most to the least sensitive.
const (
	// Auth is login, registration and token refresh.
	Auth Class = iota
	// Checkout is placing an order.
	Checkout
	// Write is every other request that is not GET, HEAD or OPTIONS.
	Write
	// Read is GET, HEAD and OPTIONS.
	Read
	// Webhook is Stripe's webhook deliveries: few senders, many events,
	// each verified by its signature at the payments service.
	Webhook
	classCount
)

var classNames = [classCount]string{Auth: "auth", Checkout: "checkout", Write: "write", Read: "read", Webhook: "webhook"}

// String is the class name used in the RateLimit fields and metrics.
func (c Class) String() string { return classNames[c] }

// Classify tells the class of a request by its method and path.
func Classify(method, path string) Class {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return Read
	case http.MethodPost:
		switch path {
		case "/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/refresh":
			return Auth
		case "/api/v1/checkout":
			return Checkout
		case "/api/v1/payments/webhooks/stripe":
			return Webhook
		}
	}
	return Write
}

// Budgets are the quotas of each class; a zero Quota does not limit.
type Budgets [classCount]Quota

// Defaults of Options.
const (
	DefaultMaxKeys  = 100_000
	DefaultSweepGap = time.Minute
)

// Options configure a Limiter.
type Options struct {
	// PerAddress are the budgets of each client address (an IPv6 client's
	// /64, which one host usually holds whole).
	PerAddress Budgets
	// PerUser are the budgets of each signed-in user (the verified token's
	// subject), on top of the address's.
	PerUser Budgets
	// MaxKeys bounds the buckets each scope holds (default 100,000, a few
	// MB); past it the refilled, then arbitrary, buckets are dropped.
	MaxKeys int
	// SweepGap is the least time between two sweeps of refilled buckets in
	// one shard (default one minute).
	SweepGap time.Duration
	// Registerer receives mercato_gateway_rate_limited_total; nil leaves it
	// unregistered.
	Registerer prometheus.Registerer
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Limiter enforces the budgets. It is safe for concurrent use.
type Limiter struct {
	opts    Options
	addrs   *store[addrKey]
	users   *store[userKey]
	policy  [2][classCount]string // RateLimit-Policy values by scope and class
	limited *prometheus.CounterVec
}

type addrKey struct {
	class Class
	addr  netip.Addr
}

type userKey struct {
	class Class
	user  string
}

const (
	scopeAddress = 0
	scopeUser    = 1
)

var scopeNames = [2]string{"address", "user"}

// New builds a Limiter.
func New(opts Options) *Limiter {
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.SweepGap <= 0 {
		opts.SweepGap = DefaultSweepGap
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	l := &Limiter{
		opts: opts,
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mercato_gateway_rate_limited_total",
			Help: "Requests answered 429 by the gateway's rate limiter, by budget class and scope.",
		}, []string{"class", "scope"}),
	}
	if opts.Registerer != nil {
		opts.Registerer.MustRegister(l.limited)
	}
	l.addrs = newStore(opts.MaxKeys, opts.SweepGap, func(k addrKey) time.Duration { return opts.PerAddress[k.class].Window })
	l.users = newStore(opts.MaxKeys, opts.SweepGap, func(k userKey) time.Duration { return opts.PerUser[k.class].Window })
	for class := range classCount {
		l.policy[scopeAddress][class] = policyField(class, opts.PerAddress[class], "ip")
		l.policy[scopeUser][class] = policyField(class, opts.PerUser[class], "user")
	}
	return l
}

// policyField is one RateLimit-Policy item: the quota q per window w in
// seconds, named after the class and scope.
func policyField(class Class, q Quota, scope string) string {
	if q.Off() {
		return ""
	}
	window := int64(math.Ceil(q.Window.Seconds()))
	return `"` + class.String() + "-" + scope + `";q=` + strconv.Itoa(q.Limit) + ";w=" + strconv.FormatInt(window, 10)
}

// ByAddress is the middleware that spends the client address's budget. It
// runs before the token check, so a flood of bad tokens is throttled too.
// The client address is gin's ClientIP: the peer, or the X-Forwarded-For
// entry a trusted proxy vouches for (engine.SetTrustedProxies).
func (l *Limiter) ByAddress() gin.HandlerFunc {
	return func(c *gin.Context) {
		class := Classify(c.Request.Method, c.Request.URL.Path)
		q := l.opts.PerAddress[class]
		if q.Off() {
			c.Next()
			return
		}
		addr, err := netip.ParseAddr(c.ClientIP())
		if err != nil { // not an IP peer (a test recorder): nothing to key on
			c.Next()
			return
		}
		addr = addr.Unmap()
		if addr.Is6() {
			addr = netip.PrefixFrom(addr, 64).Masked().Addr()
		}
		d := l.addrs.take(addrKey{class: class, addr: addr}, q, l.opts.Now())
		l.answer(c, d, scopeAddress, class)
	}
}

// ByUser is the middleware that spends the signed-in user's budget; it runs
// after the token check and passes requests without a verified caller.
func (l *Limiter) ByUser() gin.HandlerFunc {
	return func(c *gin.Context) {
		class := Classify(c.Request.Method, c.Request.URL.Path)
		q := l.opts.PerUser[class]
		caller, ok := auth.CallerFrom(c.Request.Context())
		if q.Off() || !ok || caller.UserID == "" {
			c.Next()
			return
		}
		d := l.users.take(userKey{class: class, user: caller.UserID}, q, l.opts.Now())
		l.answer(c, d, scopeUser, class)
	}
}

// answer sets the RateLimit fields and either lets the request on or
// answers 429. The user scope, checked second, overwrites the address
// scope's fields, so a client sees the budget nearest to running out only
// when it is the one that refused it; both scopes' policies are listed.
func (l *Limiter) answer(c *gin.Context, d decision, scope int, class Class) {
	h := c.Writer.Header()
	// Canonical keys set directly: these run on every request.
	policy := l.policy[scope][class]
	if prior := h[headerPolicy]; len(prior) > 0 {
		policy = prior[0] + ", " + policy
	}
	h[headerPolicy] = []string{policy}
	h[headerRateLimit] = []string{`"` + class.String() + "-" + scopeTag(scope) + `";r=` + strconv.Itoa(d.remaining) + ";t=" + strconv.Itoa(ceilSeconds(d.resetAfter))}
	if d.allowed {
		c.Next()
		return
	}
	l.limited.WithLabelValues(class.String(), scopeNames[scope]).Inc()
	httpserver.WriteError(c, &apperr.RetryableError{
		Kind:       apperr.ErrRateLimited,
		Detail:     "too many " + class.String() + " requests from this " + scopeNames[scope] + "; retry later",
		RetryAfter: max(d.retryAfter, time.Second),
	})
}

// The RateLimit header fields, in net/http's canonical form.
const (
	headerPolicy    = "Ratelimit-Policy"
	headerRateLimit = "Ratelimit"
)

func scopeTag(scope int) string {
	if scope == scopeUser {
		return "user"
	}
	return "ip"
}

func ceilSeconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}
