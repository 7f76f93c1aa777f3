package stripeapi

import (
	"context"
	"fmt"
	"log/slog"
)

// slogLogger adapts slog to stripe-go's LeveledLoggerInterface. stripe-go
// logs every request at info and failed ones at error; the service logs
// what matters itself (with the outcome), so these become debug.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Debugf(format string, v ...interface{}) { l.logf(slog.LevelDebug, format, v...) }
func (l slogLogger) Infof(format string, v ...interface{})  { l.logf(slog.LevelDebug, format, v...) }
func (l slogLogger) Warnf(format string, v ...interface{})  { l.logf(slog.LevelWarn, format, v...) }
func (l slogLogger) Errorf(format string, v ...interface{}) { l.logf(slog.LevelDebug, format, v...) }

func (l slogLogger) logf(level slog.Level, format string, v ...interface{}) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	l.log.Log(context.Background(), level, fmt.Sprintf(format, v...))
}
