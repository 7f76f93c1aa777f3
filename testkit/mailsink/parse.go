package mailsink

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Parsed is a message decoded from its MIME form.
type Parsed struct {
	From      string
	To        []string
	Subject   string
	MessageID string
	Date      string
	// Text and HTML are the decoded text/plain and text/html parts.
	Text string
	HTML string
}

// Parse decodes a raw RFC 5322 message: headers (RFC 2047 words decoded)
// and the text and HTML parts of a single-part or multipart body.
func Parse(raw []byte) (Parsed, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Parsed{}, fmt.Errorf("parse message: %w", err)
	}
	dec := new(mime.WordDecoder)
	header := func(k string) string {
		v := msg.Header.Get(k)
		if d, err := dec.DecodeHeader(v); err == nil {
			return d
		}
		return v
	}
	p := Parsed{From: header("From"), Subject: header("Subject"), MessageID: msg.Header.Get("Message-Id"), Date: msg.Header.Get("Date")}
	if to, err := msg.Header.AddressList("To"); err == nil {
		for _, a := range to {
			p.To = append(p.To, a.Address)
		}
	}
	if err := p.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		return Parsed{}, err
	}
	return p, nil
}

// walk decodes one MIME entity into p, descending into multiparts.
func (p *Parsed) walk(contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := p.walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part); err != nil {
				return err
			}
		}
	}
	decoded, err := io.ReadAll(decodeBody(encoding, body))
	if err != nil {
		return fmt.Errorf("decode %s body: %w", encoding, err)
	}
	switch mediaType {
	case "text/plain":
		p.Text += string(decoded)
	case "text/html":
		p.HTML += string(decoded)
	}
	return nil
}

func decodeBody(encoding string, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &newlineStripper{r: body})
	}
	return body
}

// newlineStripper drops CR and LF, which base64 bodies are wrapped with.
type newlineStripper struct{ r io.Reader }

func (n *newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		out := 0
		for _, b := range p[:k] {
			if b != '\r' && b != '\n' {
				p[out] = b
				out++
			}
		}
		if out > 0 || err != nil {
			return out, err
		}
	}
}
