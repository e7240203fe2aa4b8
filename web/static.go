package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The static files are embedded in the binary: the hand-written CSS and script, and htmx and
// ECharts vendored from npm by scripts/vendor-web.sh (checked against static/vendor/SHA256SUMS
// by a test). Each is served gzipped to browsers that take it, compressed once on first use,
// and linked with a hash of its content (asset), so that browsers may keep it for a year and
// still never run a stale one after an upgrade.

//go:embed static
var staticFS embed.FS

type staticFile struct {
	data, gz []byte
	ctype    string
	hash     string
}

var (
	staticOnce  sync.Once
	staticFiles map[string]*staticFile
)

func loadStatic() map[string]*staticFile {
	staticOnce.Do(func() {
		staticFiles = map[string]*staticFile{}
		err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := staticFS.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			f := &staticFile{data: data, hash: hex.EncodeToString(sum[:])[:12]}
			f.ctype = mime.TypeByExtension(path.Ext(p))
			if f.ctype == "" {
				f.ctype = "application/octet-stream"
			}
			if strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".css") {
				var b bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
				zw.Write(data)
				zw.Close()
				f.gz = b.Bytes()
			}
			staticFiles[strings.TrimPrefix(p, "static/")] = f
			return nil
		})
		if err != nil {
			panic("web: embedded static files: " + err.Error())
		}
	})
	return staticFiles
}

// asset returns the URL of a static file, with its content hash.
func asset(name string) string {
	f, ok := loadStatic()[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + name + "?v=" + f.hash
}

func (s *Server) staticHandler() http.Handler {
	files := loadStatic()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		f, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("Vary", "Accept-Encoding")
		h.Set("ETag", `"`+f.hash+`"`)
		if r.URL.Query().Get("v") == f.hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		if match := r.Header.Get("If-None-Match"); match == `"`+f.hash+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := f.data
		if f.gz != nil && acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = f.gz
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("Last-Modified", startTime)
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	})
}

var startTime = time.Now().UTC().Format(http.TimeFormat)

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}
