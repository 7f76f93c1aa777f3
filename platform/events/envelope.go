// Package events holds Mercato's event contracts: the CloudEvents 1.0 envelope
// (structured JSON mode), the topic, source and type names, and the Go type of
// every event's data (docs/events.md). Producers build envelopes with New and
// Marshal; consumers Parse, look the type up with NewData and Decode.
package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// SpecVersion is the CloudEvents version of every envelope.
const SpecVersion = "1.0"

// ContentTypeJSON is the datacontenttype of every envelope's data.
const ContentTypeJSON = "application/json"

// ErrInvalidEnvelope is wrapped by Parse and Decode errors: the event can never
// be processed and belongs on a dead-letter topic.
var ErrInvalidEnvelope = errors.New("invalid event envelope")

// Envelope is a CloudEvents 1.0 event in structured JSON mode.
type Envelope struct {
	// SpecVersion is always "1.0".
	SpecVersion string `json:"specversion"`
	// ID is unique per event; consumers deduplicate by it.
	ID string `json:"id"`
	// Source is the producing service, such as "/orders".
	Source string `json:"source"`
	// Type is the versioned event type, such as "mercato.order.placed.v1".
	Type string `json:"type"`
	// Subject is the aggregate id (order id, product id); also the Kafka key.
	Subject string `json:"subject,omitempty"`
	// Time is when the event happened, in UTC.
	Time time.Time `json:"time,omitzero"`
	// DataContentType is "application/json".
	DataContentType string `json:"datacontenttype,omitempty"`
	// Data is the event's payload, the JSON of the type's data struct.
	Data json.RawMessage `json:"data,omitempty"`
}

// New builds an envelope with a fresh UUIDv7 id, the current UTC time and
// data marshalled as JSON.
func New(source, eventType, subject string, data any) (Envelope, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return Envelope{}, fmt.Errorf("new event id: %w", err)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return Envelope{}, fmt.Errorf("marshal %s data: %w", eventType, err)
	}
	e := Envelope{
		SpecVersion:     SpecVersion,
		ID:              id.String(),
		Source:          source,
		Type:            eventType,
		Subject:         subject,
		Time:            time.Now().UTC(),
		DataContentType: ContentTypeJSON,
		Data:            raw,
	}
	if err := e.Validate(); err != nil {
		return Envelope{}, err
	}
	return e, nil
}

// Validate checks the required CloudEvents attributes: specversion "1.0",
// id, source and type, and a JSON data content type when one is given.
func (e Envelope) Validate() error {
	switch {
	case e.SpecVersion != SpecVersion:
		return fmt.Errorf("%w: specversion %q, want %q", ErrInvalidEnvelope, e.SpecVersion, SpecVersion)
	case e.ID == "":
		return fmt.Errorf("%w: id is required", ErrInvalidEnvelope)
	case e.Source == "":
		return fmt.Errorf("%w: source is required", ErrInvalidEnvelope)
	case e.Type == "":
		return fmt.Errorf("%w: type is required", ErrInvalidEnvelope)
	case e.DataContentType != "" && e.DataContentType != ContentTypeJSON:
		return fmt.Errorf("%w: datacontenttype %q, want %q", ErrInvalidEnvelope, e.DataContentType, ContentTypeJSON)
	}
	return nil
}

// Marshal encodes the envelope as CloudEvents structured JSON, the value of a
// Kafka message.
func (e Envelope) Marshal() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("marshal event %s: %w", e.ID, err)
	}
	return b, nil
}

// Parse decodes a structured-mode CloudEvent and validates its required
// attributes. Errors wrap ErrInvalidEnvelope.
func Parse(b []byte) (Envelope, error) {
	var e Envelope
	if err := json.Unmarshal(b, &e); err != nil {
		return Envelope{}, fmt.Errorf("%w: %w", ErrInvalidEnvelope, err)
	}
	if err := e.Validate(); err != nil {
		return Envelope{}, err
	}
	return e, nil
}

// Decode unmarshals the data into dst, a pointer such as the one NewData
// returns. Data must be a JSON object. Fields dst does not know are ignored,
// so a producer may add optional fields within one version; a wrong JSON
// type, missing or null data, or trailing bytes are errors wrapping
// ErrInvalidEnvelope.
func (e Envelope) Decode(dst any) error {
	data := bytes.TrimSpace(e.Data)
	if len(data) == 0 || data[0] != '{' {
		return fmt.Errorf("%w: event %s (%s): data is not a JSON object", ErrInvalidEnvelope, e.ID, e.Type)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%w: event %s (%s): decode data: %w", ErrInvalidEnvelope, e.ID, e.Type, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: event %s (%s): trailing data", ErrInvalidEnvelope, e.ID, e.Type)
	}
	return nil
}
