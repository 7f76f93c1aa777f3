package events

import "time"

// Analytics topics and source (issue 15).
const (
	// TopicAnalyticsIngest carries the storefront's behaviour events, as
	// the gateway's ingestion endpoint accepted them: one message per
	// accepted request and merchant, keyed by merchant id (PlatformKey for
	// events of no merchant), so one merchant's events stay on one
	// partition and have one owner in the analytics consumer group.
	TopicAnalyticsIngest = "analytics.ingest"
	// TopicAnalytics carries the analytics service's own events.
	TopicAnalytics = "analytics.events"
	// SourceGateway is the source of events the gateway writes.
	SourceGateway = "/gateway"
	// PlatformKey is the Kafka key and merchant id of behaviour events that
	// belong to no merchant (a storefront-wide search): only the platform's
	// figures count them.
	PlatformKey = "_platform"
)

// TypeBehaviourBatch is the type of every message on TopicAnalyticsIngest
// (data BehaviourBatch). It is not in the registry of this package's other
// types: only the analytics service reads it.
const TypeBehaviourBatch = "mercato.analytics.behaviour_batch.v1"

// Behaviour event kinds the storefront sends (BehaviourEvent.Type).
const (
	BehaviourProductViewed   = "product_viewed"
	BehaviourSearch          = "search"
	BehaviourAddedToCart     = "added_to_cart"
	BehaviourCheckoutStarted = "checkout_started"
)

// BehaviourKinds lists every BehaviourEvent.Type the ingestion accepts.
var BehaviourKinds = []string{BehaviourProductViewed, BehaviourSearch, BehaviourAddedToCart, BehaviourCheckoutStarted}

// BehaviourBatch is the data of TypeBehaviourBatch: the events of one
// accepted ingestion request that belong to one merchant.
type BehaviourBatch struct {
	// MerchantID is the merchant the events belong to, or PlatformKey.
	MerchantID string `json:"merchant_id"`
	// SessionID is the storefront's random session id (no personal data).
	SessionID string `json:"session_id"`
	// SignedIn tells that the request carried an access token.
	SignedIn bool `json:"signed_in,omitempty"`
	// ReceivedAt is when the gateway accepted the request (UTC); the lag
	// of the dashboard is measured from it.
	ReceivedAt time.Time        `json:"received_at"`
	Events     []BehaviourEvent `json:"events"`
}

// BehaviourEvent is one thing a shopper did on the storefront.
type BehaviourEvent struct {
	// ID is unique per event (the client's, or one the gateway assigned).
	ID string `json:"id"`
	// Type is one of the Behaviour* kinds.
	Type string `json:"type"`
	// Time is when it happened by the client's clock, bounded by the
	// gateway (never in the future); it decides the event's minute.
	Time time.Time `json:"time"`
	// ProductID is set for product_viewed and added_to_cart.
	ProductID string `json:"product_id,omitempty"`
	// Quantity is the number of units added to the cart (at least 1).
	Quantity int64 `json:"quantity,omitempty"`
	// Query and Results describe a search; Results 0 is a search that
	// found nothing.
	Query   string `json:"query,omitempty"`
	Results int64  `json:"results,omitempty"`
}
