// Package probecache remembers, on disk, answers that depend only on one
// file: a program's `--version` output (keyed by the program file) and the
// packages read from dpkg's status file (keyed by that file). An answer is
// used only while the file has the same path, size, modification time and
// (on Unix) change time and inode as when it was recorded, so an upgrade,
// which replaces the file, invalidates it; the file is stat'ed again before
// an answer about it is used. On Unix a cache file that is not the user's
// own, or that group or others may write, is ignored (and replaced). A one-shot `restoredoctor check` thus
// spawns no process and parses no package database unless something
// changed since the last check.
//
// The cache is a small JSON file in the user's cache directory
// (DefaultFile), read with a size cap and written atomically
// (internal/safefile). A missing, unreadable, corrupt or oversized file is
// ignored: every answer is then probed again and the file rewritten. The
// cache is an optimisation only; nothing may depend on it being there.
//
// probecache must not import app/ or device/.
package probecache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

// Schema names the file format; a file with another schema is ignored.
const Schema = "restoredoctor.probecache/v1"

// Limits on what is read and kept, so a damaged or hostile file costs
// little: the whole file, the number of entries, one key, one value.
const (
	MaxFileSize = 256 << 10
	MaxEntries  = 64
	MaxKey      = 1 << 10
	MaxValue    = 16 << 10
)

// Stamp identifies one version of a file: an upgrade changes at least one
// field (package managers replace the file: new change time and inode, and
// usually a new size and modification time).
type Stamp struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	// Change is the inode change time on Unix (not settable by programs,
	// unlike the modification time); 0 where the OS has none.
	Change int64 `json:"ctime_ns,omitempty"`
	// Inode is the file's inode number on Unix (a replaced file has a new
	// one); 0 where the OS has none.
	Inode uint64 `json:"ino,omitempty"`
}

// ErrNotRegular means a stamped path, or the cache file, is not a regular
// file.
var ErrNotRegular = errors.New("probecache: not a regular file")

// StampOf stats path (following symlinks, as exec does).
func StampOf(path string) (Stamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Stamp{}, err
	}
	if !fi.Mode().IsRegular() {
		return Stamp{}, fmt.Errorf("%w: %s", ErrNotRegular, path)
	}
	return Stamp{Path: path, Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), Change: changeTime(fi), Inode: inode(fi)}, nil
}

// entry is one remembered answer.
type entry struct {
	Key   string `json:"key"`
	Stamp Stamp  `json:"stamp"`
	Value string `json:"value"`
}

type document struct {
	Schema  string  `json:"schema"`
	Entries []entry `json:"entries"`
}

// Cache is one cache file, loaded on first use. It is safe for concurrent
// use; several processes may share a file (the last writer wins, each write
// is atomic).
type Cache struct {
	file string
	log  *slog.Logger

	mu      sync.Mutex
	loaded  bool
	entries map[string]entry
	dirty   bool
}

// New returns the cache kept in file (not read until first used). log may
// be nil.
func New(file string, log *slog.Logger) *Cache {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Cache{file: file, log: log}
}

// DefaultFile is the cache file in the user's cache directory:
// $XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS,
// %LocalAppData% on Windows, then restoredoctor/probes.json.
func DefaultFile() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("probecache: %w", err)
	}
	return filepath.Join(dir, "restoredoctor", "probes.json"), nil
}

// Get returns the value recorded under key for exactly this stamp, and
// only while the file itself still has it: s is stat'ed again, so an entry
// about a file that is gone or was replaced is never an answer (a cached
// "usbmuxd 1.1.1" for a usbmuxd that is not there is ignored).
func (c *Cache) Get(key string, s Stamp) (string, bool) {
	c.mu.Lock()
	c.load()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if !ok || e.Stamp != s {
		return "", false
	}
	if now, err := StampOf(s.Path); err != nil || now != s {
		return "", false
	}
	return e.Value, true
}

// Put records value under key for stamp s (replacing what was there).
// Values or keys over the limits are not kept. Flush writes the file.
func (c *Cache) Put(key string, s Stamp, value string) {
	if len(key) > MaxKey || len(value) > MaxValue {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	if e, ok := c.entries[key]; ok && e.Stamp == s && e.Value == value {
		return
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= MaxEntries {
		c.entries = map[string]entry{} // full of stale answers: start over
	}
	c.entries[key] = entry{Key: key, Stamp: s, Value: value}
	c.dirty = true
}

// Flush writes the cache file when something changed since it was read,
// creating its directory (mode 0700) if needed.
func (c *Cache) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return nil
	}
	data, err := encode(c.entries)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.file), 0o700); err != nil {
		return fmt.Errorf("probecache: %w", err)
	}
	removeLeftovers(c.file, time.Now())
	if err := safefile.Write(c.file, data, safefile.Options{}); err != nil {
		return fmt.Errorf("probecache: %w", err)
	}
	c.dirty = false
	return nil
}

// load reads the file once; c.mu is held.
func (c *Cache) load() {
	if c.loaded {
		return
	}
	c.loaded = true
	c.entries = map[string]entry{}
	data, err := readCapped(c.file)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.log.Debug("probe cache ignored", "file", c.file, "err", err)
			c.dirty = true
		}
		return
	}
	es, err := decode(data)
	if err != nil {
		c.log.Debug("probe cache ignored", "file", c.file, "err", err)
		c.dirty = true // rewrite it, whatever is probed next
		return
	}
	c.entries = es
}

// ErrTooBig means the cache file is over MaxFileSize.
var ErrTooBig = errors.New("probecache: file too big")

// readCapped reads the cache file, refusing more than MaxFileSize bytes and
// anything but a regular file. It stats before opening (StampOf's check):
// opening a FIFO for reading would wait for a writer forever.
func readCapped(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s", ErrNotRegular, path)
	}
	if err := ownedByUs(fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, ErrTooBig
	}
	return data, nil
}

// ErrCorrupt means the cache file is not one this package wrote.
var ErrCorrupt = errors.New("probecache: corrupt file")

// decode parses a cache file. Entries breaking the limits, or without a key
// or path, are dropped; a file that is not a document of this schema is
// ErrCorrupt.
func decode(data []byte) (map[string]entry, error) {
	if len(data) > MaxFileSize {
		return nil, ErrTooBig
	}
	var doc document
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if doc.Schema != Schema {
		return nil, fmt.Errorf("%w: schema %.40q", ErrCorrupt, doc.Schema)
	}
	es := make(map[string]entry, len(doc.Entries))
	for _, e := range doc.Entries {
		if len(es) == MaxEntries {
			break
		}
		if e.Key == "" || len(e.Key) > MaxKey || len(e.Value) > MaxValue || e.Stamp.Path == "" {
			continue
		}
		es[e.Key] = e
	}
	return es, nil
}

// encode is the file's bytes for es, entries sorted by key.
func encode(es map[string]entry) ([]byte, error) {
	doc := document{Schema: Schema, Entries: make([]entry, 0, len(es))}
	for _, e := range es {
		doc.Entries = append(doc.Entries, e)
	}
	slices.SortFunc(doc.Entries, func(a, b entry) int { return strings.Compare(a.Key, b.Key) })
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("probecache: %w", err)
	}
	return append(b, '\n'), nil
}

// ErrUntrusted means the cache file is not this user's own private file: a
// file others can write could hold planted answers.
var ErrUntrusted = errors.New("probecache: not this user's private file")

// LeftoverAge is how old a temporary file of an interrupted write
// (.probes.json.*.tmp) must be before a write removes it: a younger one may
// belong to another process writing right now.
const LeftoverAge = time.Minute

// removeLeftovers removes the temporary files that writes of file killed
// before their rename left beside it, when older than LeftoverAge.
func removeLeftovers(file string, now time.Time) {
	matches, err := filepath.Glob(filepath.Join(filepath.Dir(file), "."+filepath.Base(file)+".*.tmp"))
	if err != nil {
		return
	}
	for _, m := range matches {
		fi, err := os.Lstat(m)
		if err != nil || !fi.Mode().IsRegular() || now.Sub(fi.ModTime()) < LeftoverAge {
			continue
		}
		_ = os.Remove(m)
	}
}
