package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowser starts a fresh headless Chromium for the test and returns a
// tab's context. The deadline applies to the steps, not to the browser's
// life (a deadline on the first run would end the browser).
func newBrowser(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(tab); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	ctx, cancelTimeout := context.WithTimeout(tab, limit)
	t.Cleanup(cancelTimeout)
	return ctx
}

// run runs browser actions and fails the test with a screenshot on error.
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		screenshot(t, ctx, "failed-"+step)
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('main')?.innerText || ''`))
		t.Fatalf("%s: %v\npage text: %s", step, err, text)
	}
}

// text returns the text of the element selector (a CSS selector).
func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("text of %s: %v", selector, err)
	}
	return s
}

// eval runs JavaScript whose result does not matter.
func eval(expr string) chromedp.Action[chromedp.Void] { return chromedp.Evaluate[chromedp.Void](expr) }

// waitFor polls a JavaScript expression until it is true, within limit.
func waitFor(expr string, limit time.Duration) chromedp.Action[chromedp.Void] {
	check := chromedp.Evaluate[bool]("Boolean(" + expr + ")")
	return chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		deadline := time.Now().Add(limit)
		for {
			if ok, err := check(ctx, tgt); err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("not true within %s: %s", limit, expr)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond): // poll interval
			}
		}
	})
}

// textContains is a JS expression: the element's text contains want.
func textContains(selector, want string) string {
	return fmt.Sprintf(`(document.querySelector(%q)?.textContent || '').includes(%q)`, selector, want)
}

// screenshot saves a PNG of the whole page as a test artifact.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(artifactsDir(t), fmt.Sprintf("%s-%s.png", t.Name(), name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("writing %s: %v", path, err)
		return
	}
	t.Logf("screenshot: %s", path)
}

var accountCount atomic.Int64

// uniqueEmail is a fresh address per call and run.
func uniqueEmail(kind string) string {
	return fmt.Sprintf("%s-%d-%d@example.com", kind, time.Now().UnixNano(), accountCount.Add(1))
}

// fill types value into the labelled control selector after clearing it.
func fill(selector, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(selector)),
		eval(fmt.Sprintf(`document.querySelector(%q).value = ''`, selector)),
		chromedp.SendKeys(chromedp.CSS(selector), value),
	)
}

// click clicks the element selector (a CSS selector) once it is visible.
func click(selector string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible)
}

// apiClient calls the public API directly (to play a second party).
type apiClient struct {
	base  string
	token string
}

func (c *apiClient) call(t *testing.T, method, path string, body any, headers map[string]string, out any) int {
	t.Helper()
	var payload bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&payload).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, c.base+path, &payload)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// registerShopper makes a shopper account through the API.
func registerShopper(t *testing.T, base string) *apiClient {
	t.Helper()
	c := &apiClient{base: base}
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	body := map[string]string{"email": uniqueEmail("buyer"), "password": "correct-horse-1", "name": "Api Buyer", "role": "shopper"}
	if status := c.call(t, http.MethodPost, "/api/v1/auth/register", body, nil, &tokens); status != http.StatusCreated {
		t.Fatalf("register shopper: %d", status)
	}
	c.token = tokens.AccessToken
	return c
}

// order is the part of an order the tests read.
type order struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// buy puts quantity of product in the shopper's cart and checks out with
// paymentMethod, returning the order once it is no longer pending.
func (c *apiClient) buy(t *testing.T, productID string, quantity int, paymentMethod string) order {
	t.Helper()
	if status := c.call(t, http.MethodPut, "/api/v1/cart/items/"+productID, map[string]int{"quantity": quantity}, nil, nil); status >= 300 {
		t.Fatalf("add to cart: %d", status)
	}
	address := map[string]string{"name": "Api Buyer", "line1": "1 Test Street", "city": "Springfield", "postal_code": "12345", "country": "US"}
	var o order
	key := fmt.Sprintf("browser-test-%d", time.Now().UnixNano())
	status := c.call(t, http.MethodPost, "/api/v1/checkout", map[string]any{"payment_method": paymentMethod, "shipping_address": address},
		map[string]string{"Idempotency-Key": key}, &o)
	if status != http.StatusAccepted {
		t.Fatalf("checkout: %d", status)
	}
	deadline := time.Now().Add(30 * time.Second)
	for o.Status == "pending" || o.Status == "awaiting_payment" {
		if time.Now().After(deadline) {
			t.Fatalf("order %s still %s after 30 s", o.ID, o.Status)
		}
		time.Sleep(50 * time.Millisecond) // poll interval
		if status := c.call(t, http.MethodGet, "/api/v1/orders/"+o.ID, nil, nil, &o); status != http.StatusOK {
			t.Fatalf("get order: %d", status)
		}
	}
	return o
}
