package engine

import (
	"github.com/ferry-app/ferry/fault"
)

// storeError is why a change could not be recorded: what says what it
// means for the user, as a sentence; the database's own error is the
// cause, for the log.
func storeError(what string, err error) *fault.Error {
	return fault.Wrap(fault.CodeStore, err, "Cannot write the queue database: %s", what)
}
