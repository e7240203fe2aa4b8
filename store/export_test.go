package store

// WithSchemaVersion stops the migrations at version v, to build a database as an older kaoqin
// left it.
func WithSchemaVersion(v int64) Option {
	return func(o *options) { o.version = v }
}
