package browser_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Reviews (issue 18): shown as text, replied to in the console, refused
// with a clear message to a shopper who did not receive the product.

// reviewedProduct makes a shop whose product a shopper bought, received
// and reviewed (through the API) with text; it returns the shop and the
// shopper's email.
func reviewedProduct(t *testing.T, base, text string) (shop, string) {
	t.Helper()
	s := openShop(t, base, "Review Kite", 1500, 300)
	shopper, email := shopperAccount(t, base)
	o := shopper.buy(t, s.productID, 1, "pm_card_visa")
	if o.Status != "paid" {
		t.Fatalf("the purchase ended %s", o.Status)
	}
	if status := s.call(t, http.MethodPost, "/api/v1/merchant/orders/"+o.ID+"/ship", nil, nil, nil); status >= 300 {
		t.Fatalf("ship: %d", status)
	}
	// The catalog learns of the shipment from its event: 403 until then.
	deadline := time.Now().Add(30 * time.Second)
	for {
		status := shopper.call(t, http.MethodPost, "/api/v1/products/"+s.productID+"/reviews",
			map[string]any{"rating": 4, "text": text}, nil, nil)
		if status == http.StatusCreated {
			return s, email
		}
		if status != http.StatusForbidden || time.Now().After(deadline) {
			t.Fatalf("post review: %d", status)
		}
		time.Sleep(100 * time.Millisecond) // poll interval
	}
}

func TestReviewHTMLIsShownAsText(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	base := gateway(t)
	const review = `<b>bold</b><script>window.__reviewRan = true</script> & a fine kite`
	s, email := reviewedProduct(t, base, review)

	signIn(t, ctx, base, email)
	run(t, ctx, "product page",
		chromedp.Navigate(base+"/product/"+s.productID),
		waitFor(`document.querySelector('#reviews .review-text') !== null`, 10*time.Second))
	screenshot(t, ctx, "review-text")
	if got := text(t, ctx, "#reviews .review-text"); got != review {
		t.Errorf("review text %q, want the literal %q", got, review)
	}
	created, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`document.querySelector('#reviews b, #reviews script, .product-reviews b, .product-reviews script') !== null || window.__reviewRan === true`))
	if err != nil || created {
		t.Errorf("the review's markup became elements or ran (%v, %v)", created, err)
	}
	if got := text(t, ctx, "#rating .rating-average"); got != "4.0" {
		t.Errorf("rating average %q, want 4.0", got)
	}
	if got := text(t, ctx, "#rating .rating-count"); !strings.Contains(got, "1 review") {
		t.Errorf("rating count %q, want 1 review", got)
	}

	// A second review by the same shopper: the 409 is explained.
	run(t, ctx, "second review",
		click("#rating-5"),
		fill("#review-text", "Again!"),
		click("#review-submit"),
		waitFor(`document.querySelector('#review-form-message.message-error') !== null`, 10*time.Second))
	if msg := text(t, ctx, "#review-form-message"); !strings.Contains(msg, "already reviewed") {
		t.Errorf("second review message %q", msg)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#reviews .review').length`)); err != nil || n != 1 {
		t.Errorf("%d reviews listed (%v), want 1", n, err)
	}
}

func TestMerchantRepliesToAReviewAndTheShopperWithoutAPurchaseIsTold(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	base := gateway(t)
	s, _ := reviewedProduct(t, base, "Flies well.")
	const reply = `Thanks! <i>Enjoy</i>`
	run(t, ctx, "console sign in",
		chromedp.Navigate(base+"/merchant/products"),
		fill("#login-email", s.email),
		fill("#login-password", "correct-horse-1"),
		click(`#merchant-login button[type="submit"]`),
		waitFor(fmt.Sprintf(`document.querySelector('#products-table tr[data-product-id=%q] .show-reviews') !== null`, s.productID), 15*time.Second),
		click(fmt.Sprintf(`#products-table tr[data-product-id=%q] .show-reviews`, s.productID)),
		waitFor(`document.querySelector('#reviews-panel .reply-form') !== null`, 10*time.Second))
	if got := text(t, ctx, "#reviews-panel .review-text"); got != "Flies well." {
		t.Errorf("review in the console %q", got)
	}
	run(t, ctx, "reply",
		fill("#reviews-panel .reply-form textarea", reply),
		click(`#reviews-panel .reply-form button[type="submit"]`),
		waitFor(`document.querySelector('#reviews-panel .reply-text') !== null && document.querySelector('#reviews-panel .reply-form') === null`, 10*time.Second))
	screenshot(t, ctx, "console-reply")

	// A shopper who did not buy it: the 403 is explained, and the reply is text.
	signUpShopper(t, ctx, base)
	run(t, ctx, "product page",
		chromedp.Navigate(base+"/product/"+s.productID),
		waitFor(`document.querySelector('#reviews .reply-text') !== null`, 10*time.Second))
	if got := text(t, ctx, "#reviews .reply-text"); got != reply {
		t.Errorf("reply on the product page %q, want %q", got, reply)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#reviews i').length`)); err != nil || n != 0 {
		t.Errorf("the reply's markup made %d elements (%v)", n, err)
	}
	run(t, ctx, "review without purchase",
		click("#rating-3"),
		fill("#review-text", "Looks nice."),
		click("#review-submit"),
		waitFor(`document.querySelector('#review-form-message.message-error') !== null`, 10*time.Second))
	if msg := text(t, ctx, "#review-form-message"); !strings.Contains(msg, "once you have received it") {
		t.Errorf("review without purchase message %q", msg)
	}
}
