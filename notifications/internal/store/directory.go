package store

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
)

// contactDoc is a user (_id = user id) or a merchant (_id = "merchant:" +
// merchant id) as users.events told of it.
type contactDoc struct {
	ID         string `bson:"_id"`
	UserID     string `bson:"user_id"`
	Email      string `bson:"email"`
	Name       string `bson:"name"`
	MerchantID string `bson:"merchant_id,omitempty"`
	StoreName  string `bson:"store_name,omitempty"`
}

// SaveContact records a user, and the merchant it is when it has a
// merchant id, in the directory (idempotent: the same event again writes
// the same values).
func (s *Store) SaveContact(ctx context.Context, c domain.Contact) error {
	set := bson.M{"user_id": c.ID, "email": c.Email, "name": c.Name, "merchant_id": c.MerchantID, "store_name": c.StoreName}
	if err := s.upsertSet(ctx, ContactsCollection, c.ID, set, "save contact "+c.ID); err != nil {
		return err
	}
	if c.MerchantID == "" {
		return nil
	}
	return s.upsertSet(ctx, ContactsCollection, domain.MerchantRecipient(c.MerchantID), set, "save merchant "+c.MerchantID)
}

// Contact looks a recipient up by user id or MerchantRecipient id.
func (s *Store) Contact(ctx context.Context, recipientID string) (domain.Contact, error) {
	var d contactDoc
	if err := s.findByID(ctx, ContactsCollection, recipientID, &d, "find contact "+recipientID); err != nil {
		return domain.Contact{}, err
	}
	return domain.Contact{ID: d.UserID, Email: d.Email, Name: d.Name, MerchantID: d.MerchantID, StoreName: d.StoreName}, nil
}

// OrderInfo is what the directory keeps of an order.
type OrderInfo struct {
	ID        string
	ShopperID string
	Lines     []domain.Line
	Total     domain.Money
	Address   domain.Address
	// Charges are the merchants' discounts and shipping (order.paid).
	Charges []domain.Charge
	// Decline is the payment's decline message, once payments told it.
	Decline string
}

type orderDoc struct {
	ID        string          `bson:"_id"`
	ShopperID string          `bson:"shopper_id,omitempty"`
	Lines     []domain.Line   `bson:"lines,omitempty"`
	Total     domain.Money    `bson:"total"`
	Address   domain.Address  `bson:"address"`
	Charges   []domain.Charge `bson:"charges,omitempty"`
	Decline   string          `bson:"decline,omitempty"`
}

// SaveOrder records an order's shopper, lines and total, and its address
// when known (an empty address leaves the stored one).
func (s *Store) SaveOrder(ctx context.Context, o OrderInfo) error {
	set := bson.M{"shopper_id": o.ShopperID, "lines": o.Lines, "total": o.Total}
	if len(o.Address.Lines()) > 0 {
		set["address"] = o.Address
	}
	return s.upsertSet(ctx, OrdersCollection, o.ID, set, "save order "+o.ID)
}

// SaveDecline records why an order's payment was declined.
func (s *Store) SaveDecline(ctx context.Context, orderID, message string) error {
	return s.upsertSet(ctx, OrdersCollection, orderID, bson.M{"decline": message}, "save decline "+orderID)
}

// Order looks an order up by id.
func (s *Store) Order(ctx context.Context, id string) (OrderInfo, error) {
	var d orderDoc
	if err := s.findByID(ctx, OrdersCollection, id, &d, "find order "+id); err != nil {
		return OrderInfo{}, err
	}
	return OrderInfo(d), nil
}

type preferencesDoc struct {
	ID       string        `bson:"_id"`
	Disabled []domain.Kind `bson:"disabled"`
}

// Preferences returns a user's preferences; none stored means everything on.
func (s *Store) Preferences(ctx context.Context, userID string) (domain.Preferences, error) {
	var d preferencesDoc
	err := s.findByID(ctx, PreferencesCollection, userID, &d, "find preferences "+userID)
	if IsNotFound(err) {
		return domain.Preferences{UserID: userID}, nil
	}
	if err != nil {
		return domain.Preferences{}, err
	}
	return domain.Preferences{UserID: userID, Disabled: d.Disabled}, nil
}

// SavePreferences replaces a user's preferences.
func (s *Store) SavePreferences(ctx context.Context, p domain.Preferences) error {
	disabled := p.Disabled
	if disabled == nil {
		disabled = []domain.Kind{}
	}
	return s.upsertSet(ctx, PreferencesCollection, p.UserID, bson.M{"disabled": disabled}, "save preferences "+p.UserID)
}
