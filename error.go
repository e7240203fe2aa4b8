package kaoqin

import (
	"errors"
	"fmt"
)

// Application error codes. They are mapped to HTTP statuses in one place (web) and to exit
// statuses in another (cmd/kaoqin).
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	EUNAVAILABLE  = "unavailable" // a dependency (DingTalk, the database) cannot be reached
	EQUOTA        = "quota"       // the month's metered-call budget does not allow the work
	ENOTSYNCED    = "not_synced"  // the data asked for has not been pulled from DingTalk
)

// Error is an error meant for the user: a code for programs and a message for people.
// Any other error is an internal one and is shown as "Internal error.".
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("kaoqin error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other error
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, "Internal error." for
// any other error and "" for nil.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
