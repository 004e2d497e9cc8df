package ui

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ferry-app/ferry/dest"
	"github.com/ferry-app/ferry/engine"
	"github.com/ferry-app/ferry/engine/store"
	"github.com/ferry-app/ferry/internal/tustest"
	"github.com/ferry-app/ferry/internal/wine"
	"github.com/ferry-app/ferry/keychain"
)

// destEnv is a real engine on a fresh data dir with the app's keychain
// (on a machine without a session bus: the fallback file), and a window.
type destEnv struct {
	eng     *engine.Engine
	dir     string
	win     fyne.Window
	changed int
}

func newDestEnv(t *testing.T) *destEnv {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:") // no system keychain: the announced fallback
	t.Setenv("FERRY_KEYCHAIN", "file")                // nor the keychain of Windows or macOS
	dir := wine.TempDir(t)
	eng, err := engine.Open(engine.Options{DataDir: dir, Keychain: keychain.Open(dir, nil)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel("Ferry"))
	w.Resize(fyne.NewSize(900, 760))
	return &destEnv{eng: eng, dir: dir, win: w}
}

func (e *destEnv) open(t *testing.T, edit string) *destDialog {
	t.Helper()
	d := newDestDialog(e.win, waitForWork, e.eng, edit, "", func() { e.changed++ })
	d.dlg.Show()
	return d
}

// save taps Save and waits for the work it started.
func (d *destDialog) saveAndWait() {
	test.Tap(d.saveBtn)
}

func (d *destDialog) testAndWait(t *testing.T, name string) string {
	t.Helper()
	d.select_(name)
	if d.testBtn.Disabled() {
		t.Fatalf("Test connection is disabled with %s selected", name)
	}
	test.Tap(d.testBtn)
	return d.status.Text
}

func (d *destDialog) rowNames() []string {
	var names []string
	for _, x := range d.dests {
		names = append(names, x.Name)
	}
	return names
}

func TestDestinationAddTusTestConnectionAndEditKeepsTheToken(t *testing.T) {
	srv := tustest.New(t, tustest.WithAuth("s3cret-tok"))
	e := newDestEnv(t)
	d := e.open(t, "")
	if !d.empty.Visible() || d.editBtn.Disabled() == false {
		t.Fatal("an empty list should say so, with nothing to edit")
	}
	test.Tap(d.addBtn)
	if !d.formView.Visible() || d.kind.Selected != "Any tus server" {
		t.Fatalf("form visible %v, kind %q", d.formView.Visible(), d.kind.Selected)
	}
	test.Type(d.name, "studio")
	test.Type(d.url, srv.URL)
	test.Type(d.auth, "Bearer s3cret-tok")
	test.Type(d.headers, "X-Team: blue")
	test.Type(d.meta, "project=spring")
	test.Type(d.chunk, "4 MiB")
	d.saveAndWait()
	if d.shown() != "" {
		t.Fatalf("save failed: %s", d.shown())
	}
	saved, ok := e.eng.SavedDestination("studio")
	if !ok || saved.URL != srv.URL || saved.ChunkSize != 4<<20 || saved.Header.Get("X-Team") != "blue" ||
		saved.Meta["project"] != "spring" || strings.Join(saved.SecretHeaders, ",") != "Authorization" {
		t.Fatalf("saved %+v (%v)", saved, ok)
	}
	if !d.listView.Visible() || strings.Join(d.rowNames(), ",") != "studio" || e.changed != 1 {
		t.Fatalf("list %v rows %v changed %d", d.listView.Visible(), d.rowNames(), e.changed)
	}
	if e.eng.DefaultDestination() != "studio" {
		t.Fatalf("the first destination is not the default: %q", e.eng.DefaultDestination())
	}
	if got := d.testAndWait(t, "studio"); got != "studio answers as it should." || d.status.Importance != widget.SuccessImportance {
		t.Fatalf("test connection: %q", got)
	}

	// Edit: another chunk size; the Authorization field left empty keeps it.
	test.Tap(d.editBtn)
	if d.name.Text != "studio" || !d.name.Disabled() || d.url.Text != srv.URL || d.chunk.Text != "4 MiB" {
		t.Fatalf("edit form: name %q url %q chunk %q", d.name.Text, d.url.Text, d.chunk.Text)
	}
	if d.auth.Text != "" || d.auth.PlaceHolder != "unchanged" || strings.Contains(d.headers.Text, "s3cret") {
		t.Fatalf("the secret is shown back: auth %q (%q), headers %q", d.auth.Text, d.auth.PlaceHolder, d.headers.Text)
	}
	if strings.Contains(test.RenderToMarkup(e.win.Canvas()), "s3cret") {
		t.Fatal("the secret is on screen")
	}
	d.chunk.SetText("")
	test.Type(d.chunk, "8 MiB")
	d.saveAndWait()
	if d.shown() != "" {
		t.Fatalf("edit failed: %s", d.shown())
	}
	saved, _ = e.eng.SavedDestination("studio")
	if saved.ChunkSize != 8<<20 || strings.Join(saved.SecretHeaders, ",") != "Authorization" || saved.Header.Get("X-Team") != "blue" {
		t.Fatalf("after the edit: %+v", saved)
	}
	if got := d.testAndWait(t, "studio"); got != "studio answers as it should." {
		t.Fatalf("the token was lost in the edit: %q", got)
	}
	// Forgetting it is a choice; the server then refuses.
	test.Tap(d.editBtn)
	test.Tap(d.forgetAuth)
	d.saveAndWait()
	if got := d.testAndWait(t, "studio"); !strings.Contains(got, "refused the credentials") || d.status.Importance != widget.DangerImportance {
		t.Fatalf("without its token: %q", got)
	}
	e.eng.Close()
	db, _ := os.ReadFile(filepath.Join(e.dir, store.FileName))
	if strings.Contains(string(db), "s3cret") {
		t.Fatal("the token is in the queue database")
	}
}

func TestDestinationBadURLIsASentenceAndNothingIsSaved(t *testing.T) {
	e := newDestEnv(t)
	d := e.open(t, "")
	test.Tap(d.addBtn)
	test.Type(d.name, "typo")
	test.Type(d.meta, "project=spring")
	d.saveAndWait()
	if !strings.Contains(d.shown(), "Give the upload URL") {
		t.Fatalf("no URL: %q", d.shown())
	}
	test.Type(d.url, "tus.example.com/files")
	d.saveAndWait()
	if !strings.Contains(d.shown(), "is not an upload URL") {
		t.Fatalf("bad URL: %q", d.shown())
	}
	if _, ok := e.eng.SavedDestination("typo"); ok || e.changed != 0 {
		t.Fatal("a bad destination was saved")
	}
	if !d.formView.Visible() || d.name.Text != "typo" || d.url.Text != "tus.example.com/files" || d.meta.Text != "project=spring" {
		t.Fatal("the form closed or lost what was typed")
	}
	for _, c := range []struct {
		field      *widget.Entry
		text, want string
	}{
		{d.headers, "X-Team blue", "write it as Name: value"},
		{d.meta, "my project=x", "write it as key=value"},
		{d.chunk, "huge", "is not a chunk size"},
		{d.name, "my/dest", "cannot name a destination"},
	} {
		old := c.field.Text
		c.field.SetText(c.text)
		d.url.SetText("https://tus.example.com/files/")
		d.saveAndWait()
		if !strings.Contains(d.shown(), c.want) {
			t.Errorf("%q: problem %q, want %q", c.text, d.shown(), c.want)
		}
		c.field.SetText(old)
	}
	// Switching kinds loses nothing typed.
	d.kind.SetSelected("Vimeo")
	d.kind.SetSelected("Any tus server")
	if d.url.Text != "https://tus.example.com/files/" || d.meta.Text != "project=spring" {
		t.Fatal("switching kinds lost fields")
	}
	test.Tap(d.cancelBtn)
	if !d.listView.Visible() || len(e.eng.Destinations()) != 0 {
		t.Fatal("Cancel saved something or did not go back to the list")
	}
}

func TestDestinationSetDefaultAndRemove(t *testing.T) {
	srv := tustest.New(t, tustest.WithFaults(tustest.Faults{RateLimit: 64 << 10}))
	e := newDestEnv(t)
	for _, name := range []string{"alpha", "beta"} {
		if err := e.eng.SaveDestination(engine.Destination{Name: name, URL: srv.URL}, nil); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := tustest.RandomFile(t, wine.TempDir(t), "b.mp4", 2<<20, 1)
	j, err := e.eng.Add(p, engine.Destination{Name: "beta"})
	if err != nil {
		t.Fatal(err)
	}
	e.eng.Pause(j.ID) // unfinished while the dialog looks
	if n := e.eng.JobsGoingTo("beta"); n != 1 {
		t.Fatalf("jobs going to beta: %d", n)
	}
	d := e.open(t, "")
	if strings.Join(d.rowNames(), ",") != "alpha,beta" || d.def != "alpha" {
		t.Fatalf("rows %v default %q", d.rowNames(), d.def)
	}
	d.select_("alpha")
	if !d.defaultBtn.Disabled() {
		t.Fatal("the default can be made default again")
	}
	d.select_("beta")
	test.Tap(d.defaultBtn)
	if e.eng.DefaultDestination() != "beta" || e.changed != 1 || !strings.Contains(d.status.Text, "beta is the default") {
		t.Fatalf("default %q, changed %d, status %q", e.eng.DefaultDestination(), e.changed, d.status.Text)
	}
	if !strings.Contains(test.RenderToMarkup(e.win.Canvas()), "Default") {
		t.Fatal("no default mark")
	}

	test.Tap(d.removeBtn)
	if m := test.RenderToMarkup(e.win.Canvas()); d.confirm == nil || !strings.Contains(m, "1 unfinished job goes to beta") {
		t.Fatalf("the question does not say that a job goes there:\n%s", m)
	}
	d.confirm.Confirm()
	if _, ok := e.eng.SavedDestination("beta"); ok {
		t.Fatal("beta is still saved")
	}
	if strings.Join(d.rowNames(), ",") != "alpha" || e.changed != 2 || d.status.Text != "Removed beta." {
		t.Fatalf("rows %v changed %d status %q", d.rowNames(), e.changed, d.status.Text)
	}
	if d.selected != "" || !d.removeBtn.Disabled() {
		t.Fatal("the removed one is still selected")
	}
}

func TestDestinationCloudflareKeepsItsTokenInTheKeychain(t *testing.T) {
	srv := tustest.New(t)
	cf := tustest.NewCloudflare(t, srv, "0123456789abcdef0123456789abcdef", "cf-t0ken")
	t.Setenv("FERRY_CLOUDFLARE_API", cf.Base)
	e := newDestEnv(t)
	d := e.open(t, "")
	test.Tap(d.addBtn)
	d.kind.SetSelected("Cloudflare Stream (API token)")
	test.Type(d.name, "stream")
	test.Type(d.account, "0123456789abcdef0123456789abcdef")
	d.saveAndWait()
	if !strings.Contains(d.shown(), "Paste the Cloudflare API token") {
		t.Fatalf("no token: %q", d.shown())
	}
	test.Type(d.token, "cf-t0ken")
	test.Type(d.chunk, "3 MiB")
	d.saveAndWait()
	if !strings.Contains(d.shown(), "5 MiB to 200 MiB") {
		t.Fatalf("odd chunk: %q", d.shown())
	}
	d.chunk.SetText("")
	d.saveAndWait()
	if d.shown() != "" {
		t.Fatalf("save: %s", d.shown())
	}
	kc := keychain.Open(e.dir, nil)
	if v, err := kc.Get("stream", "token"); err != nil || v != "cf-t0ken" {
		t.Fatalf("keychain has %q, %v", v, err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, keychain.FileName)); err != nil && runtime.GOOS == "linux" { // (elsewhere the OS keychain needs no D-Bus)
		t.Fatalf("no fallback file: %v", err)
	}
	if got := d.testAndWait(t, "stream"); got != "stream answers as it should." {
		t.Fatalf("test connection: %q", got)
	}

	// The edit form never shows the token; empty keeps it.
	test.Tap(d.editBtn)
	if d.token.Text != "" || d.token.PlaceHolder != "unchanged" || !d.token.Password || d.account.Text != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("token %q (%q, password %v), account %q", d.token.Text, d.token.PlaceHolder, d.token.Password, d.account.Text)
	}
	if strings.Contains(test.RenderToMarkup(e.win.Canvas()), "cf-t0ken") {
		t.Fatal("the token is on screen")
	}
	test.Type(d.chunk, "10 MiB")
	d.saveAndWait()
	if saved, _ := e.eng.SavedDestination("stream"); saved.ChunkSize != 10<<20 {
		t.Fatalf("chunk %d", saved.ChunkSize)
	}
	if v, err := kc.Get("stream", "token"); err != nil || v != "cf-t0ken" {
		t.Fatalf("after the edit the keychain has %q, %v", v, err)
	}
	if got := d.testAndWait(t, "stream"); got != "stream answers as it should." {
		t.Fatalf("test connection after the edit: %q", got)
	}
	// A new token replaces it.
	test.Tap(d.editBtn)
	test.Type(d.token, "wrong")
	d.saveAndWait()
	if got := d.testAndWait(t, "stream"); !strings.Contains(got, "refused") {
		t.Fatalf("a wrong token: %q", got)
	}
	e.eng.Close()
	db, _ := os.ReadFile(filepath.Join(e.dir, store.FileName))
	if strings.Contains(string(db), "cf-t0ken") {
		t.Fatal("the token is in the queue database")
	}
}

func TestDestinationBackendTestIsANote(t *testing.T) {
	srv := tustest.New(t)
	cf := tustest.NewCloudflare(t, srv, "acc1", "tok")
	b := tustest.NewBackend(t, cf, "X-App-Key", "k1")
	e := newDestEnv(t)
	d := e.open(t, "")
	test.Tap(d.addBtn)
	d.kind.SetSelected("Your backend (one-time upload URLs)")
	if strings.Contains(test.RenderToMarkup(e.win.Canvas()), "Chunk size") {
		t.Fatal("a backend offers a chunk size")
	}
	test.Type(d.name, "site")
	test.Type(d.url, b.URL)
	test.Type(d.headers, "X-App-Key: k1")
	d.saveAndWait()
	if d.shown() != "" {
		t.Fatalf("save: %s", d.shown())
	}
	saved, _ := e.eng.SavedDestination("site")
	if saved.Kind != dest.KindBackend || strings.Join(saved.SecretHeaders, ",") != "X-App-Key" {
		t.Fatalf("saved %+v", saved)
	}
	got := d.testAndWait(t, "site")
	if !strings.Contains(got, "The backend answers") || d.status.Importance != widget.WarningImportance {
		t.Fatalf("test of a backend: %q (%v)", got, d.status.Importance)
	}
	// Its secret header shows as kept, and stays when saved again.
	test.Tap(d.editBtn)
	if d.headers.Text != "X-App-Key: "+keptValue {
		t.Fatalf("headers shown: %q", d.headers.Text)
	}
	d.saveAndWait()
	if v, err := keychain.Open(e.dir, nil).Get("site", "header:X-App-Key"); err != nil || v != "k1" {
		t.Fatalf("the header's value after an edit: %q, %v", v, err)
	}
}

func TestDestinationEditOpensTheFormAtOnce(t *testing.T) {
	e := newDestEnv(t)
	recv := wine.TempDir(t)
	d := e.open(t, "")
	test.Tap(d.addBtn)
	d.kind.SetSelected("Built-in receiver on this computer")
	test.Type(d.name, "here")
	d.folder.SetText(recv)
	d.saveAndWait()
	saved, ok := e.eng.SavedDestination("here")
	if !ok || saved.Dir != recv || !strings.HasPrefix(saved.URL, "http://127.0.0.1:") {
		t.Fatalf("saved %+v: %s", saved, d.shown())
	}
	if got := d.testAndWait(t, "here"); got != "here answers as it should." {
		t.Fatalf("test of the receiver's folder: %q", got)
	}
	d.dlg.Hide()

	d = e.open(t, "here")
	if !d.formView.Visible() || d.listView.Visible() || d.name.Text != "here" || d.folder.Text != recv {
		t.Fatalf("edit form at once: form %v, name %q, folder %q", d.formView.Visible(), d.name.Text, d.folder.Text)
	}
	d.saveAndWait()
	if again, _ := e.eng.SavedDestination("here"); again.URL != saved.URL {
		t.Fatalf("the receiver moved from %s to %s", saved.URL, again.URL)
	}
	d.dlg.Hide()
	d = e.open(t, "gone")
	if !d.listView.Visible() || !strings.Contains(d.status.Text, `"gone"`) {
		t.Fatalf("a vanished destination: %q", d.status.Text)
	}
	d.dlg.Hide()

	dlg := showDestinations(e.win, waitForWork, e.eng, "", "Secrets are kept in a file only you can read.", nil)
	if !dialogOpen(e.win) || !strings.Contains(test.RenderToMarkup(e.win.Canvas()), "Destinations") {
		t.Fatal("showDestinations showed nothing")
	}
	dlg.Hide()
}

func TestDestinationKeychainNoteIsShownNearSecrets(t *testing.T) {
	e := newDestEnv(t)
	note := "No system keychain: secrets are kept in a file only you can read."
	d := newDestDialog(e.win, waitForWork, e.eng, "", note, nil)
	d.dlg.Show()
	test.Tap(d.addBtn)
	d.kind.SetSelected("Vimeo")
	if !d.keyNote.Visible() || d.keyNote.Text != note {
		t.Fatal("no keychain note by the token")
	}
	d.kind.SetSelected("Built-in receiver on this computer")
	if d.keyNote.Visible() {
		t.Fatal("a keychain note where there is no secret")
	}
}

// shown is every sentence the form shows: each field's, in the form's
// order, then the one under the form.
func (d *destDialog) shown() string {
	var s []string
	for _, l := range d.errLabels {
		if l.Visible() && l.Text != "" {
			s = append(s, l.Text)
		}
	}
	if d.problem.Text != "" {
		s = append(s, d.problem.Text)
	}
	return strings.Join(s, "\n")
}

// waitForWork runs a dialog's work off the UI goroutine as the window
// does, but returns once it is done and its ending has run: the dialog's
// tests have no frame loop.
func waitForWork(work func() error, then func(error)) {
	done := make(chan error)
	go func() { done <- work() }()
	then(<-done)
}
