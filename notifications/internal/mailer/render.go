// Package mailer turns a notification into an email (embedded text and HTML
// templates) and sends it over SMTP with github.com/wneessen/go-mail.
package mailer

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
)

//go:embed templates
var templatesFS embed.FS

// View is what the templates show.
type View struct {
	Kind          domain.Kind
	Subject       string
	RecipientName string
	// StoreName names the store (or stores, joined) the email speaks for.
	StoreName string
	OrderID   string
	Lines     []ViewLine
	// Discount and Shipping are shown after the lines when not zero.
	Discount string
	Shipping string
	Total    string
	Address  []string
	Reason   string
}

// ViewLine is one product line, its money already formatted; Name is the
// line's title (a variant's options after the product's name).
type ViewLine struct {
	Name, Store, UnitPrice, Total string
	Quantity                      int64
}

// NewView builds the view of a notification; stores maps merchant ids to
// store names.
func NewView(n domain.Notification, recipientName string, stores map[string]string) View {
	v := View{Kind: n.Kind, RecipientName: recipientName, OrderID: n.OrderID, Total: n.Total.String(),
		Address: n.Address.Lines(), Reason: n.Reason}
	if n.Discount.Amount != 0 {
		v.Discount = n.Discount.String()
	}
	if n.Shipping.Amount != 0 {
		v.Shipping = n.Shipping.String()
	}
	var names []string
	for _, m := range domain.MerchantsOf(n.Lines) {
		if s := stores[m]; s != "" {
			names = append(names, s)
		}
	}
	v.StoreName = strings.Join(names, " & ")
	if v.StoreName == "" {
		v.StoreName = "Mercato"
	}
	multi := len(names) > 1
	for _, l := range n.Lines {
		vl := ViewLine{Name: l.Title(), Quantity: l.Quantity, UnitPrice: l.UnitPrice.String(), Total: l.Total().String()}
		if multi {
			vl.Store = stores[l.MerchantID]
		}
		v.Lines = append(v.Lines, vl)
	}
	v.Subject = subject(v)
	return v
}

func subject(v View) string {
	switch v.Kind {
	case domain.KindWelcome:
		return "Welcome to Mercato, " + v.RecipientName
	case domain.KindOrderConfirmed:
		return fmt.Sprintf("%s: order %s confirmed", v.StoreName, v.OrderID)
	case domain.KindPaymentDeclined:
		return fmt.Sprintf("%s: payment for order %s declined", v.StoreName, v.OrderID)
	case domain.KindOrderShipped:
		return fmt.Sprintf("%s: order %s shipped", v.StoreName, v.OrderID)
	case domain.KindOrderRefunded:
		return fmt.Sprintf("%s: order %s refunded", v.StoreName, v.OrderID)
	case domain.KindOrderCancelled:
		return fmt.Sprintf("%s: order %s cancelled", v.StoreName, v.OrderID)
	case domain.KindMerchantNewOrder:
		return fmt.Sprintf("%s: new paid order %s", v.StoreName, v.OrderID)
	}
	return "Mercato"
}

// Renderer renders views with the embedded templates.
type Renderer struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// NewRenderer parses the embedded templates.
func NewRenderer() (*Renderer, error) {
	text, err := texttemplate.ParseFS(templatesFS, "templates/mail.txt.tmpl")
	if err != nil {
		return nil, fmt.Errorf("text templates: %w", err)
	}
	html, err := htmltemplate.ParseFS(templatesFS, "templates/mail.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("html templates: %w", err)
	}
	return &Renderer{text: text, html: html}, nil
}

// Render returns the text and HTML bodies of v.
func (r *Renderer) Render(v View) (text, html string, err error) {
	var tb, hb bytes.Buffer
	if err := r.text.ExecuteTemplate(&tb, string(v.Kind), v); err != nil {
		return "", "", fmt.Errorf("render %s text: %w", v.Kind, err)
	}
	// The layout calls "body", bound per kind on a clone.
	page, err := r.html.Clone()
	if err != nil {
		return "", "", err
	}
	if _, err := page.New("body").Parse(`{{template "` + string(v.Kind) + `" .}}`); err != nil {
		return "", "", fmt.Errorf("render %s html: %w", v.Kind, err)
	}
	if err := page.ExecuteTemplate(&hb, "layout", v); err != nil {
		return "", "", fmt.Errorf("render %s html: %w", v.Kind, err)
	}
	return strings.TrimSpace(tb.String()) + "\n", hb.String(), nil
}
