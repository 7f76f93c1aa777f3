// Package admin is the devstack's control endpoint: a small JSON API over
// the supervisor (list services, restart one) and its client, which the
// `devstack status` and `devstack restart` commands use.
//
//	GET  /services                 {"services": [ServiceStatus...]}
//	GET  /services/{name}          ServiceStatus
//	POST /services/{name}/restart  ServiceStatus once the new process is ready
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/mercato-shop/mercato/devstack/supervisor"
)

// ServiceStatus is the JSON view of one supervised service.
type ServiceStatus struct {
	Name      string     `json:"name"`
	PID       int        `json:"pid"`
	Running   bool       `json:"running"`
	Ready     bool       `json:"ready"`
	Restarts  int        `json:"restarts"`
	Uptime    string     `json:"uptime"`
	StartedAt *time.Time `json:"started_at,omitempty"`
	LastExit  string     `json:"last_exit,omitempty"`
}

// ServiceList is the body of GET /services.
type ServiceList struct {
	Services []ServiceStatus `json:"services"`
}

// Problem is an RFC 9457 error body.
type Problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// RestartReadyTimeout bounds how long POST /restart waits for readiness.
const RestartReadyTimeout = time.Minute

// Handler serves the admin API for sup.
func Handler(sup *supervisor.Supervisor) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services", func(w http.ResponseWriter, _ *http.Request) {
		list := ServiceList{Services: []ServiceStatus{}}
		for _, st := range sup.Status() {
			list.Services = append(list.Services, view(st))
		}
		writeJSON(w, http.StatusOK, list)
	})
	mux.HandleFunc("GET /services/{name}", func(w http.ResponseWriter, r *http.Request) {
		st, ok := sup.StatusOf(r.PathValue("name"))
		if !ok {
			writeProblem(w, http.StatusNotFound, "unknown service", r.PathValue("name"))
			return
		}
		writeJSON(w, http.StatusOK, view(st))
	})
	mux.HandleFunc("POST /services/{name}/restart", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		ctx, cancel := context.WithTimeout(r.Context(), RestartReadyTimeout)
		defer cancel()
		if err := sup.Restart(ctx, name); err != nil {
			if errors.Is(err, supervisor.ErrUnknown) {
				writeProblem(w, http.StatusNotFound, "unknown service", name)
				return
			}
			writeProblem(w, http.StatusInternalServerError, "restart failed", err.Error())
			return
		}
		if err := sup.WaitReady(ctx, name); err != nil {
			writeProblem(w, http.StatusGatewayTimeout, "restarted but not ready", err.Error())
			return
		}
		st, _ := sup.StatusOf(name)
		writeJSON(w, http.StatusOK, view(st))
	})
	return mux
}

func view(st supervisor.Status) ServiceStatus {
	v := ServiceStatus{
		Name:     st.Name,
		PID:      st.PID,
		Running:  st.Running,
		Ready:    st.Ready,
		Restarts: st.Restarts,
		Uptime:   st.Uptime.Round(time.Second).String(),
		LastExit: st.LastExit,
	}
	if st.Running {
		started := st.StartedAt
		v.StartedAt = &started
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func writeProblem(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{Title: title, Status: status, Detail: detail})
}
