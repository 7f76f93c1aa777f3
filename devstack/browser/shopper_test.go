package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signUpShopper registers a new shopper through the storefront's form.
func signUpShopper(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	run(t, ctx, "register",
		chromedp.Navigate(base+"/register"),
		fill(`input[name="name"]`, "Browser Shopper"),
		fill(`input[name="email"]`, uniqueEmail("shopper")),
		fill(`input[name="password"]`, "correct-horse-1"),
		click(`form.auth-form button[type="submit"]`),
		waitFor(textContains("#account", "Sign out"), 10*time.Second))
}

// addToCart searches for query, opens the result named name and adds one.
func addToCart(t *testing.T, ctx context.Context, query, name string) {
	t.Helper()
	run(t, ctx, "search "+query,
		fill("#searchbar-q", query),
		chromedp.Submit(chromedp.CSS("#searchbar")),
		waitFor(`location.pathname === '/search' && document.querySelectorAll('#results li').length > 0`, 10*time.Second),
		eval(`[...document.querySelectorAll('#results .card-link')].find(a => a.textContent.includes(`+jsString(name)+`)).click()`),
		waitFor(`location.pathname.startsWith('/product/') && `+textContains("h1", name), 10*time.Second),
		click(`form.buy button[type="submit"]`),
		waitFor(textContains(".message", "Added 1 × "+name), 10*time.Second))
}

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// checkout fills the address, picks the test card and places the order;
// it returns once the order page shows. From a page other than the cart it
// opens the cart first; on the cart it does not click the cart link again,
// since that renders the cart anew and the "Check out" link found before
// the new render is gone when clicked (seen in CI).
func checkout(t *testing.T, ctx context.Context, paymentMethod string) {
	t.Helper()
	onCart, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.pathname === '/cart' && document.querySelector('#to-checkout') !== null`))
	if !onCart {
		run(t, ctx, "open the cart",
			click(`#cart-link`),
			waitFor(`location.pathname === '/cart' && document.querySelector('#to-checkout') !== null`, 10*time.Second))
	}
	run(t, ctx, "checkout",
		click(`#to-checkout`),
		fill(`input[name="shipping_address.line1"]`, "1 Browser Lane"),
		fill(`input[name="shipping_address.city"]`, "Springfield"),
		fill(`input[name="shipping_address.postal_code"]`, "12345"),
		click(`#pm-`+paymentMethod),
		click(`#place-order`),
		waitFor(`location.pathname.startsWith('/orders/') && document.querySelector('#order-status') !== null`, 15*time.Second))
}

func TestShopperSearchesBuysTwoProductsAndSeesTheOrderPaid(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	base := gateway(t)

	run(t, ctx, "home", chromedp.Navigate(base+"/"), waitFor(`document.querySelectorAll('#results li').length > 0`, 10*time.Second))
	screenshot(t, ctx, "home")
	run(t, ctx, "phone", chromedp.EmulateViewport(390, 844))
	screenshot(t, ctx, "home-phone")
	run(t, ctx, "desktop", chromedp.EmulateViewport(1280, 900))

	signUpShopper(t, ctx, base)
	addToCart(t, ctx, "lamp", "Desk Lamp")
	screenshot(t, ctx, "product")
	addToCart(t, ctx, "mug", "Ceramic Mug")
	run(t, ctx, "cart",
		chromedp.Navigate(base+"/cart"),
		waitFor(`document.querySelectorAll('.lines .line').length === 2`, 10*time.Second))
	screenshot(t, ctx, "cart")
	checkout(t, ctx, "pm_card_visa")
	run(t, ctx, "paid", waitFor(`document.querySelector('#order-status [data-status="paid"]') !== null`, 30*time.Second))
	status := text(t, ctx, "#status-text")
	if !strings.Contains(status, "Payment received") {
		t.Errorf("status text %q", status)
	}
	screenshot(t, ctx, "order-paid")
	orderPath, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	orderID := strings.TrimPrefix(orderPath, "/orders/")

	run(t, ctx, "history",
		chromedp.Navigate(base+"/orders"),
		waitFor(`document.querySelectorAll('.order-list [data-status="paid"]').length === 1`, 10*time.Second))

	seeConfirmationEmail(t, ctx, orderID)
}

// seeConfirmationEmail opens the devstack's mail page, waits for the
// order's confirmation and opens it: the lines and the total are shown.
func seeConfirmationEmail(t *testing.T, ctx context.Context, orderID string) {
	t.Helper()
	subject := "order " + orderID + " confirmed"
	found := `[...document.querySelectorAll('#messages a')].find(a => a.textContent.includes(` + jsString(subject) + `))`
	run(t, ctx, "mail page",
		chromedp.Navigate(suiteStack.MailURL()),
		chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
			// The page is static: reload until the email is listed.
			deadline := time.Now().Add(30 * time.Second)
			for {
				if ok, err := chromedp.Evaluate[bool]("Boolean("+found+")")(ctx, tgt); err == nil && ok {
					return nil
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("no email %q on the mail page", subject)
				}
				time.Sleep(300 * time.Millisecond)
				if _, err := chromedp.Reload()(ctx, tgt); err != nil {
					return err
				}
			}
		}),
		eval(found+`.click()`),
		waitFor(textContains("#subject", subject), 10*time.Second))
	body := text(t, ctx, "#text")
	for _, want := range []string{"Desk Lamp", "Ceramic Mug", "Total:", "1 Browser Lane"} {
		if !strings.Contains(body, want) {
			t.Errorf("confirmation email lacks %q:\n%s", want, body)
		}
	}
	screenshot(t, ctx, "mail-confirmation")
}

func TestDeclinedCardShowsAClearMessage(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	base := gateway(t)
	signUpShopper(t, ctx, base)
	addToCart(t, ctx, "notebook", "Field Notes Journal")
	checkout(t, ctx, "pm_card_chargeDeclined")
	run(t, ctx, "cancelled", waitFor(`document.querySelector('#order-status [data-status="cancelled"]') !== null`, 30*time.Second))
	status := text(t, ctx, "#status-text")
	if !strings.Contains(status, "Your card was declined") {
		t.Errorf("status text %q, want the decline explained", status)
	}
	screenshot(t, ctx, "declined")
}

func TestFormErrorsShowTheProblemDetail(t *testing.T) {
	ctx := newBrowser(t, time.Minute)
	base := gateway(t)
	run(t, ctx, "login",
		chromedp.Navigate(base+"/login"),
		fill(`input[name="email"]`, uniqueEmail("nobody")),
		fill(`input[name="password"]`, "wrong-password"),
		click(`form.auth-form button[type="submit"]`),
		waitFor(`document.querySelector('.message-error[role="alert"]') !== null`, 10*time.Second))
	status := text(t, ctx, ".message-error")
	if strings.TrimSpace(status) == "" || strings.Contains(status, "undefined") {
		t.Errorf("login error message %q", status)
	}
	screenshot(t, ctx, "login-error")
}
