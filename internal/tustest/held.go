package tustest

import "net/http"

// AnswerHeld is a middleware (WithMiddleware) that lets tusd take every
// PATCH whole and then keeps tusd's answer from the client until the
// client gives up on it, or release closes: the upload is complete on the
// server while the client has not heard so (a cancel racing the last
// byte, a lost final answer). Each PATCH's path goes to arrived, while it
// has room, once tusd is done with it.
func AnswerHeld(arrived chan<- string, release <-chan struct{}) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPatch {
				next.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(&unanswered{ResponseWriter: w, h: http.Header{}}, r)
			select {
			case arrived <- r.URL.Path:
			default:
			}
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
	}
}

// unanswered keeps tusd's answer to itself; deadlines still reach the
// connection.
type unanswered struct {
	http.ResponseWriter
	h http.Header
}

func (u *unanswered) Header() http.Header         { return u.h }
func (u *unanswered) WriteHeader(int)             {}
func (u *unanswered) Write(p []byte) (int, error) { return len(p), nil }
func (u *unanswered) Unwrap() http.ResponseWriter { return u.ResponseWriter }
