package readmodel

import (
	"bytes"
	"compress/flate"
	"encoding/gob"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// ChunkSize is how many products one snapshot chunk holds: about 250 KB of
// compressed data, far below the 16 MB limit of a document.
const ChunkSize = 2000

// Products returns a copy of every product in the model, archived ones
// included, by id: the content of a snapshot.
func (m *Model) Products() []domain.Product {
	m.mu.RLock()
	out := make([]domain.Product, 0, len(m.items))
	for _, it := range m.items {
		out = append(out, it.p)
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b domain.Product) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// EncodeChunks encodes products as snapshot chunks of at most ChunkSize
// products each (gob, deflated): a compact form the store reads back as a
// few documents instead of one document per product.
func EncodeChunks(products []domain.Product) ([][]byte, error) {
	var chunks [][]byte
	for part := range slices.Chunk(products, ChunkSize) {
		var buf bytes.Buffer
		zw, err := flate.NewWriter(&buf, flate.BestSpeed)
		if err != nil {
			return nil, err
		}
		if err := gob.NewEncoder(zw).Encode(part); err != nil {
			return nil, fmt.Errorf("encode snapshot chunk: %w", err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("encode snapshot chunk: %w", err)
		}
		chunks = append(chunks, buf.Bytes())
	}
	return chunks, nil
}

// DecodeChunks decodes the chunks EncodeChunks made, on every core.
func DecodeChunks(chunks [][]byte) ([]domain.Product, error) {
	parts := make([][]domain.Product, len(chunks))
	errs := make([]error, len(chunks))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, chunk := range chunks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			parts[i], errs[i] = decodeChunk(chunk)
		}()
	}
	wg.Wait()
	var out []domain.Product
	for i, part := range parts {
		if errs[i] != nil {
			return nil, fmt.Errorf("decode snapshot chunk %d: %w", i, errs[i])
		}
		out = append(out, part...)
	}
	return out, nil
}

func decodeChunk(chunk []byte) ([]domain.Product, error) {
	zr := flate.NewReader(bytes.NewReader(chunk))
	defer zr.Close()
	var part []domain.Product
	if err := gob.NewDecoder(zr).Decode(&part); err != nil {
		return nil, err
	}
	return part, nil
}
