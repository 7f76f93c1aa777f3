package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/users/internal/domain"
)

// Paths of the address book.
const (
	// AddressesPath is the caller's address book (GET list, POST add);
	// AddressesPath/{id} is one address (PUT replace, DELETE remove) and
	// AddressesPath/{id}/default makes it the default (POST).
	AddressesPath = "/api/v1/users/me/addresses"
	// InternalDefaultAddressPath is read by other services (orders at
	// checkout) with the user's own bearer token, which they forward; it
	// is not routed by the gateway.
	InternalDefaultAddressPath = "/internal/v1/users/:id/addresses/default"
)

// addressRequest is the body of POST and PUT of an address. The id and the
// default flag are not in it: the service chooses the id, and the default
// changes only through POST .../{id}/default (or by the rules of
// domain.AddressBook).
type addressRequest struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// addressListResponse is the address book, as every list is answered.
type addressListResponse struct {
	Items      []addressResponse `json:"items"`
	NextCursor string            `json:"next_cursor"`
}

func (h *Handler) registerAddresses(r gin.IRouter) {
	book := r.Group(AddressesPath, h.verifier.Require())
	book.GET("", h.listAddresses)
	book.POST("", h.addAddress)
	book.PUT("/:id", h.replaceAddress)
	book.DELETE("/:id", h.removeAddress)
	book.POST("/:id/default", h.makeDefaultAddress)
	r.GET(InternalDefaultAddressPath, h.verifier.Require(), h.internalDefaultAddress)
}

func (h *Handler) listAddresses(c *gin.Context) {
	caller, _ := auth.CallerFrom(c) // Require ran before
	book, err := h.accounts.Addresses(c, caller.UserID)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, addressListResponse{Items: newAddressResponses(book)})
}

func (h *Handler) addAddress(c *gin.Context) {
	var req addressRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	caller, _ := auth.CallerFrom(c)
	a, err := h.accounts.AddAddress(c, caller.UserID, domain.AddressInput(req))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Header("Location", AddressesPath+"/"+a.ID)
	c.JSON(http.StatusCreated, addressResponse(a))
}

func (h *Handler) replaceAddress(c *gin.Context) {
	var req addressRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	caller, _ := auth.CallerFrom(c)
	a, err := h.accounts.ReplaceAddress(c, caller.UserID, c.Param("id"), domain.AddressInput(req))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, addressResponse(a))
}

func (h *Handler) removeAddress(c *gin.Context) {
	caller, _ := auth.CallerFrom(c)
	if err := h.accounts.RemoveAddress(c, caller.UserID, c.Param("id")); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) makeDefaultAddress(c *gin.Context) {
	caller, _ := auth.CallerFrom(c)
	a, err := h.accounts.MakeDefaultAddress(c, caller.UserID, c.Param("id"))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, addressResponse(a))
}

// internalDefaultAddress answers the default address of user :id to a
// caller holding that user's token (or an admin's); anyone else's is 403.
// A user without addresses is 404.
func (h *Handler) internalDefaultAddress(c *gin.Context) {
	caller, _ := auth.CallerFrom(c)
	id := c.Param("id")
	if caller.UserID != id && !caller.IsAdmin() {
		httpserver.WriteError(c, fmt.Errorf("%w: the token is not this user's", apperr.ErrForbidden))
		return
	}
	a, err := h.accounts.DefaultAddress(c, id)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, addressResponse(a))
}

func newAddressResponses(book []domain.Address) []addressResponse {
	out := make([]addressResponse, len(book))
	for i, a := range book {
		out[i] = addressResponse(a)
	}
	return out
}
