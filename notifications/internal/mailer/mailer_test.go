package mailer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/mailer"
	"github.com/mercato-shop/mercato/testkit/mailsink"
)

func sinkAndSender(t *testing.T) (*mailsink.Sink, *mailer.SMTP) {
	t.Helper()
	sink, err := mailsink.Start(mailsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	s, err := mailer.NewSMTP(mailer.SMTPOptions{Addr: sink.Addr(), From: "no-reply@shop.test", FromName: "Mercato", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return sink, s
}

func confirmation() domain.Notification {
	return domain.Notification{ID: "n1", Kind: domain.KindOrderConfirmed, OrderID: "o-42",
		Lines: []domain.Line{
			{MerchantID: "m1", Name: "Desk Lamp", UnitPrice: domain.Money{Amount: 2500, Currency: "EUR"}, Quantity: 2},
			{MerchantID: "m2", Name: "Mug <b>", UnitPrice: domain.Money{Amount: 900, Currency: "EUR"}, Quantity: 1},
		},
		Total:   domain.Money{Amount: 5900, Currency: "EUR"},
		Address: domain.Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}}
}

func TestConfirmationIsMultipartWithStoreNamesLinesAndTotal(t *testing.T) {
	sink, sender := sinkAndSender(t)
	r, err := mailer.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	view := mailer.NewView(confirmation(), "Ada", map[string]string{"m1": "Lamp Works", "m2": "Mug Co"})
	text, html, err := r.Render(view)
	if err != nil {
		t.Fatal(err)
	}
	err = sender.Send(context.Background(), mailer.Email{To: "ada@shop.test", ToName: "Ada", Subject: view.Subject,
		Text: text, HTML: html, MessageID: "n1@notifications.test"})
	if err != nil {
		t.Fatal(err)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "ada@shop.test" {
		t.Fatalf("received %+v", msgs)
	}
	if !strings.Contains(string(msgs[0].Raw), "multipart/alternative") {
		t.Error("not multipart/alternative")
	}
	p, err := mailsink.Parse(msgs[0].Raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Lamp Works & Mug Co: order o-42 confirmed" || p.MessageID != "<n1@notifications.test>" {
		t.Errorf("subject %q, message id %q", p.Subject, p.MessageID)
	}
	for _, want := range []string{"2 × Desk Lamp (Lamp Works)", "€25.00 each, €50.00", "Total: €59.00", "1 Main St", "12345 Springfield"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, p.Text)
		}
	}
	for _, want := range []string{"Mug &lt;b&gt;", "Total: €59.00", "Lamp Works &amp; Mug Co"} {
		if !strings.Contains(p.HTML, want) {
			t.Errorf("html lacks %q:\n%s", want, p.HTML)
		}
	}
}

func TestEveryKindRenders(t *testing.T) {
	r, err := mailer.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range domain.Kinds {
		n := confirmation()
		n.Kind = k
		v := mailer.NewView(n, "Ada", map[string]string{"m1": "Lamp Works"})
		text, html, err := r.Render(v)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if !strings.Contains(text, "Ada") || !strings.Contains(html, "Lamp Works") || v.Subject == "" {
			t.Errorf("%s: subject %q text %q", k, v.Subject, text)
		}
	}
}

func TestTemporaryRepliesAreRetryableAndPermanentOnesAreNot(t *testing.T) {
	sink, sender := sinkAndSender(t)
	email := mailer.Email{To: "ada@shop.test", Subject: "s", Text: "t", HTML: "<p>t</p>", MessageID: "x@test"}
	sink.FailNext(1, 451, "try again later")
	err := sender.Send(context.Background(), email)
	if err == nil || errors.Is(err, mailer.ErrPermanent) {
		t.Fatalf("451: %v, want a temporary error", err)
	}
	sink.FailNext(1, 550, "no such mailbox")
	if err := sender.Send(context.Background(), email); !errors.Is(err, mailer.ErrPermanent) {
		t.Fatalf("550: %v, want ErrPermanent", err)
	}
	if err := sender.Send(context.Background(), email); err != nil {
		t.Fatalf("after the faults: %v", err)
	}
	if n := len(sink.Messages()); n != 1 {
		t.Errorf("%d messages kept, want 1", n)
	}
}
