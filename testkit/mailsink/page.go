package mailsink

import (
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strconv"
)

// Handler serves the sink's web page, relative to where it is mounted:
//
//	GET /              the messages, newest first
//	GET /{id}          one message: headers, text part, HTML part (sandboxed)
//	GET /{id}/html     its HTML part alone, sandboxed
//	GET /{id}/raw      the message as received
//	GET /messages.json the messages' envelopes and headers as JSON
func (s *Sink) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		rows := s.summaries()
		slices.Reverse(rows)
		render(w, listPage, rows)
	})
	mux.HandleFunc("GET /messages.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": s.summaries()})
	})
	mux.HandleFunc("GET /{id}", func(w http.ResponseWriter, r *http.Request) {
		m, ok := s.lookup(w, r)
		if !ok {
			return
		}
		p, err := Parse(m.Raw)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		render(w, messagePage, struct {
			Message
			Parsed
		}{m, p})
	})
	mux.HandleFunc("GET /{id}/html", func(w http.ResponseWriter, r *http.Request) {
		m, ok := s.lookup(w, r)
		if !ok {
			return
		}
		p, err := Parse(m.Raw)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		// Someone else's HTML: no script, no remote content, no forms.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
		_, _ = w.Write([]byte(p.HTML))
	})
	mux.HandleFunc("GET /{id}/raw", func(w http.ResponseWriter, r *http.Request) {
		if m, ok := s.lookup(w, r); ok {
			w.Header().Set("Content-Type", "message/rfc822")
			_, _ = w.Write(m.Raw)
		}
	})
	return mux
}

// Summary is one message in the list.
type Summary struct {
	Message
	Subject   string `json:"subject"`
	MessageID string `json:"message_id"`
}

func (s *Sink) summaries() []Summary {
	msgs := s.Messages()
	out := make([]Summary, 0, len(msgs))
	for _, m := range msgs {
		p, _ := Parse(m.Raw)
		out = append(out, Summary{Message: m, Subject: p.Subject, MessageID: p.MessageID})
	}
	return out
}

func (s *Sink) lookup(w http.ResponseWriter, r *http.Request) (Message, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return Message{}, false
	}
	m, ok := s.Message(id)
	if !ok {
		http.NotFound(w, r)
	}
	return m, ok
}

func render(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page shows HTML written by someone else: never let it run script.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'")
	if err := t.Execute(w, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

const style = `<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}
pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}iframe{width:100%;height:32rem;border:1px solid #ddd}</style>`

var listPage = template.Must(template.New("list").Parse(`<!doctype html><html><head><meta charset="utf-8"><title>Mercato mail</title>` + style + `</head>
<body><h1>Mail sent by Mercato</h1>
{{if not .}}<p id="empty">No messages yet.</p>{{else}}
<table id="messages"><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>
{{range .}}<tr class="message"><td>{{.ReceivedAt.Format "2006-01-02 15:04:05"}}</td><td>{{range .To}}{{.}} {{end}}</td><td><a href="./{{.ID}}">{{.Subject}}</a></td></tr>
{{end}}</tbody></table>{{end}}</body></html>`))

var messagePage = template.Must(template.New("message").Parse(`<!doctype html><html><head><meta charset="utf-8"><title>{{.Subject}}</title>` + style + `</head>
<body><p><a href="./">All messages</a> · <a href="./{{.ID}}/raw">Raw</a></p>
<h1 id="subject">{{.Subject}}</h1>
<table><tr><th>From</th><td>{{.Parsed.From}}</td></tr><tr><th>To</th><td id="to">{{range .Parsed.To}}{{.}} {{end}}</td></tr>
<tr><th>Date</th><td>{{.Date}}</td></tr><tr><th>Message-ID</th><td>{{.MessageID}}</td></tr></table>
{{if .HTML}}<h2>HTML</h2><iframe sandbox src="./{{.ID}}/html" title="HTML part"></iframe>{{end}}
<h2>Text</h2><pre id="text">{{.Text}}</pre></body></html>`))
