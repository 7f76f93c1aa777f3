package mailsink_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"strings"
	"testing"

	"github.com/mercato-shop/mercato/testkit/mailsink"
)

const message = "From: Shop <shop@example.test>\r\nTo: Ada <ada@example.test>\r\nSubject: =?UTF-8?q?Caf=C3=A9_order?=\r\n" +
	"Message-ID: <m1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n" +
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nTotal: =E2=82=AC5.00\r\n" +
	"--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+VG90YWw8L3A+\r\n--b--\r\n"

func TestTheSinkKeepsWhatArrivesOverSMTPAndShowsIt(t *testing.T) {
	sink, err := mailsink.Start(mailsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	sink.FailNext(1, 451, "busy")
	if err := smtp.SendMail(sink.Addr(), nil, "shop@example.test", []string{"ada@example.test"}, []byte(message)); err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("injected fault: %v, want a 451", err)
	}
	if err := smtp.SendMail(sink.Addr(), nil, "shop@example.test", []string{"ada@example.test"}, []byte(message)); err != nil {
		t.Fatal(err)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 || msgs[0].From != "shop@example.test" || msgs[0].To[0] != "ada@example.test" {
		t.Fatalf("messages %+v", msgs)
	}
	p, err := mailsink.Parse(msgs[0].Raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Café order" || p.MessageID != "<m1@example.test>" || strings.TrimSpace(p.Text) != "Total: €5.00" || p.HTML != "<p>Total</p>" {
		t.Errorf("parsed %+v", p)
	}

	page := httptest.NewServer(http.StripPrefix("/mail", sink.Handler()))
	t.Cleanup(page.Close)
	for path, want := range map[string]string{"/mail/": "Café order", "/mail/1": "Total: €5.00", "/mail/1/html": "<p>Total</p>", "/mail/messages.json": `"subject":"Café order"`} {
		resp, err := http.Get(page.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, want %q in:\n%s", path, resp.StatusCode, want, body)
		}
	}
	resp, err := http.Get(page.URL + "/mail/99")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown message: %d, want 404", resp.StatusCode)
	}
}
