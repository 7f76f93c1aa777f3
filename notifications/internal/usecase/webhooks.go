package usecase

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// Payload is the JSON body of a webhook delivery.
type Payload struct {
	// ID is the event id: a receiver deduplicates by it.
	ID         string      `json:"id"`
	Type       string      `json:"type"`
	Created    int64       `json:"created"`
	MerchantID string      `json:"merchant_id"`
	Data       PayloadData `json:"data"`
}

// PayloadData is the order as the merchant may see it: its own lines only.
type PayloadData struct {
	OrderID  string        `json:"order_id"`
	Lines    []PayloadLine `json:"lines"`
	Subtotal PayloadMoney  `json:"subtotal"`
	Reason   string        `json:"reason,omitempty"`
}

// PayloadLine is one of the merchant's lines.
type PayloadLine struct {
	ProductID string       `json:"product_id"`
	Name      string       `json:"name"`
	UnitPrice PayloadMoney `json:"unit_price"`
	Quantity  int64        `json:"quantity"`
}

// PayloadMoney is money in minor units.
type PayloadMoney struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// webhooks queues one delivery per webhook of each merchant of lines that
// subscribed to eventType; each merchant's payload holds its lines only.
func (s *Service) webhooks(ctx context.Context, eventID, eventType, orderID string, lines []domain.Line, reason string) error {
	for _, m := range domain.MerchantsOf(lines) {
		hooks, err := s.st.WebhooksOf(ctx, m)
		if err != nil {
			return err
		}
		var body []byte
		for _, w := range hooks {
			if !w.Wants(eventType) {
				continue
			}
			if body == nil {
				if body, err = payload(eventID, eventType, m, orderID, domain.LinesOf(lines, m), reason, s.now()); err != nil {
					return err
				}
			}
			now := s.now()
			d := domain.Delivery{ID: domain.DeliveryID(w.ID, eventID), WebhookID: w.ID, MerchantID: m, EventID: eventID,
				EventType: eventType, Payload: body, CreatedAt: now, NextTryAt: now}
			if _, err := s.st.EnqueueDelivery(ctx, d); err != nil {
				return err
			}
			wake(s.wakeHook, d.ID)
		}
	}
	return nil
}

func payload(eventID, eventType, merchantID, orderID string, lines []domain.Line, reason string, now time.Time) ([]byte, error) {
	p := Payload{ID: eventID, Type: eventType, Created: now.Unix(), MerchantID: merchantID,
		Data: PayloadData{OrderID: orderID, Lines: []PayloadLine{}, Reason: reason}}
	sum := domain.Sum(lines)
	p.Data.Subtotal = PayloadMoney{sum.Amount, sum.Currency}
	for _, l := range lines {
		p.Data.Lines = append(p.Data.Lines, PayloadLine{ProductID: l.ProductID, Name: l.Name,
			UnitPrice: PayloadMoney{l.UnitPrice.Amount, l.UnitPrice.Currency}, Quantity: l.Quantity})
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("webhook payload %s: %w", eventID, err)
	}
	return b, nil
}

// deliver posts one queued delivery, signed with the webhook's current
// secret, and records the outcome: 2xx is delivered; anything else is
// retried with exponential backoff until the policy's 24 hours run out.
func (s *Service) deliver(ctx context.Context, id string) error {
	d, err := s.st.Delivery(ctx, id)
	if err != nil {
		return err
	}
	if d.Status != domain.StatusQueued {
		return s.st.SettleDelivery(ctx, d)
	}
	w, err := s.st.Webhook(ctx, d.MerchantID, d.WebhookID)
	if err != nil {
		if apperrNotFound(err) { // the webhook was deleted: stop
			d.Status, d.LastError = domain.StatusFailed, "webhook deleted"
			webhooksTotal.WithLabelValues(d.EventType, "failed").Inc()
			return s.st.SettleDelivery(ctx, d)
		}
		return err
	}
	d.Attempts++
	now := s.now()
	headers := map[string]string{
		"Content-Type":         "application/json",
		"User-Agent":           "Mercato-Webhooks/1",
		"Mercato-Event-Id":     d.EventID,
		"Mercato-Delivery-Id":  d.ID,
		"Mercato-Attempt":      strconv.Itoa(d.Attempts),
		domain.SignatureHeader: domain.Sign(w.Secret, now, d.Payload),
	}
	status, err := s.poster.Post(ctx, w.URL, headers, d.Payload)
	d.LastStatusCode = status
	switch {
	case err == nil && status >= 200 && status < 300:
		d.Status, d.LastError, d.DeliveredAt = domain.StatusSent, "", s.now()
		webhooksTotal.WithLabelValues(d.EventType, "sent").Inc()
		settleCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return s.st.SettleDelivery(settleCtx, d)
	case err != nil:
		d.LastError = err.Error()
	default:
		d.LastError = "endpoint answered " + strconv.Itoa(status)
	}
	next, ok := s.opts.WebhookRetry.Next(d.Attempts, d.CreatedAt, s.now())
	outcome := "retried"
	if !ok {
		d.Status, outcome = domain.StatusFailed, "failed"
	} else {
		d.NextTryAt = next
	}
	webhooksTotal.WithLabelValues(d.EventType, outcome).Inc()
	return s.st.SettleDelivery(ctx, d)
}

// RegisterWebhook validates and stores a merchant's webhook; the answer
// carries the signing secret, shown only now.
func (s *Service) RegisterWebhook(ctx context.Context, merchantID, url string, eventTypes []string) (domain.Webhook, error) {
	v := apperr.Validation()
	if err := s.opts.URLPolicy.CheckURL(url); err != nil {
		v.Add("url", err.Error())
	}
	if err := domain.CheckEventTypes(eventTypes); err != nil {
		v.Add("event_types", err.Error())
	}
	if err := v.Err(); err != nil {
		return domain.Webhook{}, err
	}
	existing, err := s.st.WebhooksOf(ctx, merchantID)
	if err != nil {
		return domain.Webhook{}, err
	}
	if len(existing) >= domain.MaxWebhooksPerMerchant {
		return domain.Webhook{}, fmt.Errorf("at most %d webhooks per merchant: %w", domain.MaxWebhooksPerMerchant, apperr.ErrConflict)
	}
	secret, err := domain.NewSecret()
	if err != nil {
		return domain.Webhook{}, err
	}
	w := domain.Webhook{ID: "wh_" + uuid.NewString(), MerchantID: merchantID, URL: url, EventTypes: eventTypes,
		Secret: secret, CreatedAt: s.now()}
	if err := s.st.InsertWebhook(ctx, w); err != nil {
		return domain.Webhook{}, err
	}
	return w, nil
}

// Webhooks lists a merchant's webhooks.
func (s *Service) Webhooks(ctx context.Context, merchantID string) ([]domain.Webhook, error) {
	return s.st.WebhooksOf(ctx, merchantID)
}

// Webhook returns one of the merchant's webhooks.
func (s *Service) Webhook(ctx context.Context, merchantID, id string) (domain.Webhook, error) {
	return s.st.Webhook(ctx, merchantID, id)
}

// DeleteWebhook removes one of the merchant's webhooks; its queued
// deliveries stop.
func (s *Service) DeleteWebhook(ctx context.Context, merchantID, id string) error {
	return s.st.DeleteWebhook(ctx, merchantID, id)
}

// RotateSecret gives the webhook a new signing secret and returns it;
// deliveries signed from now on use it.
func (s *Service) RotateSecret(ctx context.Context, merchantID, id string) (domain.Webhook, error) {
	w, err := s.st.Webhook(ctx, merchantID, id)
	if err != nil {
		return domain.Webhook{}, err
	}
	secret, err := domain.NewSecret()
	if err != nil {
		return domain.Webhook{}, err
	}
	if err := s.st.SetSecret(ctx, merchantID, id, secret); err != nil {
		return domain.Webhook{}, err
	}
	w.Secret = secret
	return w, nil
}

// Deliveries lists the latest deliveries of one of the merchant's webhooks.
func (s *Service) Deliveries(ctx context.Context, merchantID, webhookID string, limit int) ([]domain.Delivery, error) {
	if _, err := s.st.Webhook(ctx, merchantID, webhookID); err != nil {
		return nil, err
	}
	return s.st.DeliveriesOf(ctx, webhookID, limit)
}
