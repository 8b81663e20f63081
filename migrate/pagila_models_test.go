package migrate_test

import "time"

// The models of testdata/pagila/schema.sql, as docs/migrations.md
// ("Adopting an existing database") writes them: serial keys, smallint
// foreign keys, the enum, the domain by name, and the indexes with their
// methods, operator class, predicate and key order. Columns are declared
// in the tables' order, so that a database built from the models has the
// same catalog. Pagila's table names
// are singular, so every model names its table.

// MpaaRating is Pagila's enum type mpaa_rating.
type MpaaRating string

// EnumValues lists the ratings in the type's order.
func (MpaaRating) EnumValues() []string { return []string{"G", "PG", "PG-13", "R", "NC-17"} }

// PaymentMethod is the enum type sales.payment_method.
type PaymentMethod string

// EnumValues lists the methods.
func (PaymentMethod) EnumValues() []string { return []string{"cash", "card"} }

type Actor struct {
	ActorID    int32 `orm:"pk,type:serial"`
	FirstName  string
	LastName   string    `orm:"index:idx_actor_last_name"`
	LastUpdate time.Time `orm:"server_default:now()"`
}

type Category struct {
	CategoryID int32 `orm:"pk,type:serial"`
	Name       string
	LastUpdate time.Time `orm:"server_default:now()"`
}

type Language struct {
	LanguageID int32     `orm:"pk,type:serial"`
	Name       string    `orm:"type:character(20)"`
	LastUpdate time.Time `orm:"server_default:now()"`
}

type Film struct {
	FilmID          int32  `orm:"pk,type:serial"`
	Title           string `orm:"index:idx_title,index:idx_title_pattern,opclass:text_pattern_ops"`
	Description     *string
	ReleaseYear     *int32  `orm:"type:year"` // the domain year
	LanguageID      int16   `orm:"fk:language.language_id,onupdate:cascade,ondelete:restrict,index:idx_fk_language_id"`
	RentalDuration  int16   `orm:"default:3,server_default:3"`
	RentalRate      float64 `orm:"precision:4,scale:2,default:4.99,server_default:4.99"`
	Length          *int16
	ReplacementCost float64     `orm:"precision:5,scale:2,default:19.99,server_default:19.99"`
	Rating          *MpaaRating `orm:"server_default:'G'"`
	LastUpdate      time.Time   `orm:"server_default:now()"`
	SpecialFeatures *[]string   `orm:"type:text[],index:idx_special_features,using:gin"`
	Fulltext        string      `orm:"type:tsvector,index:film_fulltext_idx,using:gist"`
}

type FilmActor struct {
	ActorID    int16     `orm:"pk,fk:actor.actor_id,onupdate:cascade,ondelete:restrict"`
	FilmID     int16     `orm:"pk,fk:film.film_id,onupdate:cascade,ondelete:restrict,index:idx_fk_film_id"`
	LastUpdate time.Time `orm:"server_default:now()"`
}

type FilmCategory struct {
	FilmID     int16     `orm:"pk,fk:film.film_id,onupdate:cascade,ondelete:restrict"`
	CategoryID int16     `orm:"pk,fk:category.category_id,onupdate:cascade,ondelete:restrict"`
	LastUpdate time.Time `orm:"server_default:now()"`
}

type Country struct {
	CountryID  int32 `orm:"pk,type:serial"`
	Country    string
	LastUpdate time.Time `orm:"server_default:now()"`
}

type City struct {
	CityID     int32 `orm:"pk,type:serial"`
	City       string
	CountryID  int16     `orm:"fk:country.country_id,index:idx_fk_country_id"`
	LastUpdate time.Time `orm:"server_default:now()"`
}

type Address struct {
	AddressID  int32 `orm:"pk,type:serial"`
	Address    string
	Address2   *string
	District   string
	CityID     int16 `orm:"fk:city.city_id,index:idx_fk_city_id"`
	PostalCode *string
	Phone      string
	LastUpdate time.Time `orm:"server_default:now()"`
}

type Store struct {
	StoreID        int32     `orm:"pk,type:serial"`
	ManagerStaffID int16     `orm:"fk:staff.staff_id,unique_index:idx_unq_manager_staff_id"`
	AddressID      int16     `orm:"fk:address.address_id"`
	LastUpdate     time.Time `orm:"server_default:now()"`
}

type Staff struct {
	StaffID    int32 `orm:"pk,type:serial"`
	FirstName  string
	LastName   string
	AddressID  int16 `orm:"fk:address.address_id"`
	Email      *string
	StoreID    int16 `orm:"fk:store.store_id"`
	Active     bool  `orm:"default:true,server_default:true"`
	Username   string
	Password   *string
	LastUpdate time.Time `orm:"server_default:now()"`
	Picture    *[]byte
}

type Customer struct {
	CustomerID int32 `orm:"pk,type:serial"`
	StoreID    int16 `orm:"fk:store.store_id,index:idx_active_customers,position:1,where:activebool"`
	FirstName  string
	LastName   string `orm:"index:idx_last_name,index:idx_active_customers,position:2"`
	Email      *string
	AddressID  int16      `orm:"fk:address.address_id"`
	Activebool bool       `orm:"default:true,server_default:true"`
	CreateDate time.Time  `orm:"type:date,server_default:CURRENT_DATE"`
	LastUpdate *time.Time `orm:"server_default:now()"`
	Active     *int32
}

type Inventory struct {
	InventoryID int32     `orm:"pk,type:serial"`
	FilmID      int16     `orm:"fk:film.film_id,index:idx_store_id_film_id,position:2"`
	StoreID     int16     `orm:"fk:store.store_id,index:idx_store_id_film_id,position:1"`
	LastUpdate  time.Time `orm:"server_default:now()"`
}

type Rental struct {
	RentalID    int32     `orm:"pk,type:serial"`
	RentalDate  time.Time `orm:"unique_index:idx_unq_rental_rental_date_inventory_id_customer_id,position:1,index:idx_rental_date_brin,using:brin"`
	InventoryID int32     `orm:"fk:inventory.inventory_id,unique_index:idx_unq_rental_rental_date_inventory_id_customer_id,position:2,index:idx_fk_inventory_id"`
	CustomerID  int16     `orm:"fk:customer.customer_id,unique_index:idx_unq_rental_rental_date_inventory_id_customer_id,position:3"`
	ReturnDate  *time.Time
	StaffID     int16     `orm:"fk:staff.staff_id"`
	LastUpdate  time.Time `orm:"server_default:now()"`
}

type Payment struct {
	PaymentID   int32         `orm:"pk,type:serial"`
	CustomerID  int16         `orm:"fk:customer.customer_id,index:idx_payment_customer,using:hash"`
	StaffID     int16         `orm:"fk:staff.staff_id"`
	RentalID    *int32        `orm:"fk:rental.rental_id,ondelete:set null"`
	Amount      float64       `orm:"precision:5,scale:2,check:amount >= 0"`
	Method      PaymentMethod `orm:"enum:sales.payment_method,default:cash,server_default:'cash'"`
	PaymentDate time.Time
}

func (Actor) TableName() string        { return "actor" }
func (Category) TableName() string     { return "category" }
func (Language) TableName() string     { return "language" }
func (Film) TableName() string         { return "film" }
func (FilmActor) TableName() string    { return "film_actor" }
func (FilmCategory) TableName() string { return "film_category" }
func (Country) TableName() string      { return "country" }
func (City) TableName() string         { return "city" }
func (Address) TableName() string      { return "address" }
func (Store) TableName() string        { return "store" }
func (Staff) TableName() string        { return "staff" }
func (Customer) TableName() string     { return "customer" }
func (Inventory) TableName() string    { return "inventory" }
func (Rental) TableName() string       { return "rental" }
func (Payment) TableName() string      { return "sales.payment" }

// pagilaModels lists the models, in any order.
func pagilaModels() []any {
	return []any{&Actor{}, &Category{}, &Language{}, &Film{}, &FilmActor{}, &FilmCategory{}, &Country{}, &City{},
		&Address{}, &Store{}, &Staff{}, &Customer{}, &Inventory{}, &Rental{}, &Payment{}}
}
