package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mercato-shop/mercato/catalog/internal/api"
	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

func TestProductWithoutImagesRendersAnEmptyList(t *testing.T) {
	p := domain.Product{ID: "p1", Name: "Mug"}
	for name, v := range map[string]any{"public": api.NewPublicProduct(p), "merchant": api.NewMerchantProduct(p)} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"images":[]`) {
			t.Errorf("%s view = %s, want \"images\":[]", name, b)
		}
	}
}
