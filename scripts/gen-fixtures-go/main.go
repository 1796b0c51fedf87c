// Command gen-fixtures-go writes cachet's Go wire fixtures: messages of
// tests/fixtures/flyte.proto marshalled by Go's protobuf runtime
// (google.golang.org/protobuf, which golang/protobuf 1.4 and later wrap)
// with deterministic output, the code Flyte's backend runs. It is an
// independent oracle for the order in which cachet's encoder writes fields
// (oneof members after the other fields).
//
// Run it through gen.sh, which generates the Go code for flyte.proto and
// builds this program; the build and the tests of cachet never need Go.
//
//	gen-fixtures-go fixtures DIR      write DIR/<kind>-<name>.pb
//	gen-fixtures-go reencode TYPE F   rewrite F (a TYPE, e.g.
//	                                  flyteidl.core.LiteralMap) in Go's bytes
package main

import (
	"fmt"
	"io/ioutil"
	"math"
	"os"
	"path/filepath"

	flyte "cachet.test/flytepb"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	durationpb "google.golang.org/protobuf/types/known/durationpb"
	structpb "google.golang.org/protobuf/types/known/structpb"
	timestamppb "google.golang.org/protobuf/types/known/timestamppb"
)

func marshal(m proto.Message) []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// ---- builders, to keep the fixtures below readable ----

func integer(v int64) *flyte.Literal {
	return &flyte.Literal{Value: &flyte.Literal_Scalar{Scalar: &flyte.Scalar{
		Value: &flyte.Scalar_Primitive{Primitive: &flyte.Primitive{
			Value: &flyte.Primitive_Integer{Integer: v}}}}}}
}

func str(v string) *flyte.Literal {
	return &flyte.Literal{Value: &flyte.Literal_Scalar{Scalar: &flyte.Scalar{
		Value: &flyte.Scalar_Primitive{Primitive: &flyte.Primitive{
			Value: &flyte.Primitive_StringValue{StringValue: v}}}}}}
}

func scalar(s *flyte.Scalar) *flyte.Literal {
	return &flyte.Literal{Value: &flyte.Literal_Scalar{Scalar: s}}
}

func primitive(p *flyte.Primitive) *flyte.Literal {
	return scalar(&flyte.Scalar{Value: &flyte.Scalar_Primitive{Primitive: p}})
}

func hashed(l *flyte.Literal, hash string, meta map[string]string) *flyte.Literal {
	l.Hash = hash
	l.Metadata = meta
	return l
}

func simple(t flyte.SimpleType) *flyte.LiteralType {
	return &flyte.LiteralType{Type: &flyte.LiteralType_Simple{Simple: t}}
}

func structOf(fields map[string]*structpb.Value) *structpb.Struct {
	return &structpb.Struct{Fields: fields}
}

func num(v float64) *structpb.Value {
	return &structpb.Value{Kind: &structpb.Value_NumberValue{NumberValue: v}}
}

func text(v string) *structpb.Value {
	return &structpb.Value{Kind: &structpb.Value_StringValue{StringValue: v}}
}

// A type with every field beside its oneof: metadata, annotation, structure.
func decorated(t *flyte.LiteralType, tag string) *flyte.LiteralType {
	t.Metadata = structOf(map[string]*structpb.Value{"doc": text(tag)})
	t.Annotation = &flyte.TypeAnnotation{Annotations: structOf(map[string]*structpb.Value{
		"cache": {Kind: &structpb.Value_BoolValue{BoolValue: true}}})}
	t.Structure = &flyte.TypeStructure{Tag: tag}
	return t
}

func key(name string) *flyte.ArtifactKey {
	return &flyte.ArtifactKey{Project: "p", Domain: "d", Name: name, Org: "o"}
}

func static(v string) *flyte.LabelValue {
	return &flyte.LabelValue{Value: &flyte.LabelValue_StaticValue{StaticValue: v}}
}

// ---- the fixtures ----

type fixture struct {
	name string // <kind>-<what>; kind is lit, map, type or iface
	msg  proto.Message
}

func literals() []fixture {
	generic := structOf(map[string]*structpb.Value{
		"n":    num(1.5),
		"s":    text("x"),
		"null": {Kind: &structpb.Value_NullValue{}},
		"list": {Kind: &structpb.Value_ListValue{ListValue: &structpb.ListValue{
			Values: []*structpb.Value{num(1), text("y"), {Kind: &structpb.Value_StructValue{
				StructValue: structOf(map[string]*structpb.Value{"deep": num(-2)})}}}}}},
	})
	return []fixture{
		{"lit-scalar-hash-metadata", hashed(integer(1), "h", map[string]string{"b": "2", "a": "1"})},
		{"lit-scalar-hash", hashed(integer(0), "sha256:abc", nil)},
		{"lit-scalar-metadata", hashed(str(""), "", map[string]string{"": ""})},
		{"lit-collection-hash", hashed(&flyte.Literal{Value: &flyte.Literal_Collection{
			Collection: &flyte.LiteralCollection{Literals: []*flyte.Literal{
				hashed(integer(1), "one", nil), hashed(integer(2), "", map[string]string{"k": "v"}),
			}}}}, "all", map[string]string{"z": "last"})},
		{"lit-map-metadata", hashed(&flyte.Literal{Value: &flyte.Literal_Map{
			Map: &flyte.LiteralMap{Literals: map[string]*flyte.Literal{
				"b": hashed(str("bee"), "hb", nil), "a": integer(-1),
			}}}}, "", map[string]string{"m": "1"})},
		{"lit-offloaded-hash", hashed(&flyte.Literal{Value: &flyte.Literal_OffloadedMetadata{
			OffloadedMetadata: &flyte.LiteralOffloadedMetadata{
				Uri: "s3://bucket/off", SizeBytes: 1 << 40,
				InferredType: decorated(simple(flyte.SimpleType_INTEGER), "off"),
			}}}, "offhash", map[string]string{"x": "y"})},
		{"lit-primitives", &flyte.Literal{Value: &flyte.Literal_Collection{
			Collection: &flyte.LiteralCollection{Literals: []*flyte.Literal{
				hashed(primitive(&flyte.Primitive{Value: &flyte.Primitive_Integer{Integer: 0}}), "i", nil),
				hashed(primitive(&flyte.Primitive{Value: &flyte.Primitive_FloatValue{FloatValue: 0}}), "f", nil),
				hashed(primitive(&flyte.Primitive{Value: &flyte.Primitive_StringValue{StringValue: ""}}), "s", nil),
				hashed(primitive(&flyte.Primitive{Value: &flyte.Primitive_Boolean{Boolean: false}}), "b", nil),
				hashed(primitive(&flyte.Primitive{Value: &flyte.Primitive_Datetime{
					Datetime: &timestamppb.Timestamp{Seconds: 1553860800, Nanos: 5}}}), "t", nil),
				hashed(primitive(&flyte.Primitive{Value: &flyte.Primitive_Duration{
					Duration: &durationpb.Duration{Seconds: -3, Nanos: -500}}}), "d", nil),
			}}}}},
		{"lit-union", hashed(scalar(&flyte.Scalar{Value: &flyte.Scalar_Union{Union: &flyte.Union{
			Value: hashed(str("u"), "uh", map[string]string{"um": "1"}),
			Type:  decorated(simple(flyte.SimpleType_STRING), "str"),
		}}}), "outer", nil)},
		{"lit-generic", hashed(scalar(&flyte.Scalar{Value: &flyte.Scalar_Generic{Generic: generic}}),
			"gh", map[string]string{"kind": "struct"})},
		{"lit-dataset", hashed(scalar(&flyte.Scalar{Value: &flyte.Scalar_StructuredDataset{
			StructuredDataset: &flyte.StructuredDataset{Uri: "s3://b/sd",
				Metadata: &flyte.StructuredDatasetMetadata{StructuredDatasetType: &flyte.StructuredDatasetType{
					Columns: []*flyte.StructuredDatasetType_DatasetColumn{
						{Name: "a", LiteralType: decorated(simple(flyte.SimpleType_FLOAT), "col")},
						{Name: "b", LiteralType: decorated(&flyte.LiteralType{Type: &flyte.LiteralType_EnumType{
							EnumType: &flyte.EnumType{Values: []string{"x", "y"}}}}, "enum")},
					},
					Format: "parquet", ExternalSchemaType: "arrow", ExternalSchemaBytes: []byte{0, 1},
				}}}}}), "dh", nil)},
		{"lit-blob-schema-binary-error-none", &flyte.Literal{Value: &flyte.Literal_Map{
			Map: &flyte.LiteralMap{Literals: map[string]*flyte.Literal{
				"blob": hashed(scalar(&flyte.Scalar{Value: &flyte.Scalar_Blob{Blob: &flyte.Blob{
					Metadata: &flyte.BlobMetadata{Type: &flyte.BlobType{Format: "csv",
						Dimensionality: flyte.BlobType_MULTIPART}}, Uri: "s3://b/dir/"}}}), "bh", nil),
				"schema": hashed(scalar(&flyte.Scalar{Value: &flyte.Scalar_Schema{Schema: &flyte.Schema{
					Uri: "s3://b/s", Type: &flyte.SchemaType{Columns: []*flyte.SchemaType_SchemaColumn{
						{Name: "c", Type: flyte.SchemaType_SchemaColumn_DATETIME}}}}}}), "sh", nil),
				"binary": hashed(scalar(&flyte.Scalar{Value: &flyte.Scalar_Binary{Binary: &flyte.Binary{
					Value: []byte("raw"), Tag: "t"}}}), "", map[string]string{"m": ""}),
				"error": hashed(scalar(&flyte.Scalar{Value: &flyte.Scalar_Error{Error: &flyte.Error{
					FailedNodeId: "n0", Message: "boom"}}}), "eh", nil),
				"none": hashed(scalar(&flyte.Scalar{Value: &flyte.Scalar_NoneType{NoneType: &flyte.Void{}}}), "nh", nil),
			}}}}},
	}
}

func types() []fixture {
	return []fixture{
		{"type-simple-decorated", decorated(simple(flyte.SimpleType_STRUCT), "simple")},
		{"type-simple-structure", &flyte.LiteralType{Type: &flyte.LiteralType_Simple{Simple: flyte.SimpleType_NONE},
			Structure: &flyte.TypeStructure{Tag: "t"}}},
		{"type-collection", decorated(&flyte.LiteralType{Type: &flyte.LiteralType_CollectionType{
			CollectionType: decorated(simple(flyte.SimpleType_INTEGER), "elem")}}, "list")},
		{"type-map-value", decorated(&flyte.LiteralType{Type: &flyte.LiteralType_MapValueType{
			MapValueType: decorated(simple(flyte.SimpleType_BOOLEAN), "val")}}, "dict")},
		{"type-blob", decorated(&flyte.LiteralType{Type: &flyte.LiteralType_Blob{
			Blob: &flyte.BlobType{Format: "csv", Dimensionality: flyte.BlobType_MULTIPART}}}, "blob")},
		{"type-schema", decorated(&flyte.LiteralType{Type: &flyte.LiteralType_Schema{
			Schema: &flyte.SchemaType{Columns: []*flyte.SchemaType_SchemaColumn{{Name: "c"}}}}}, "schema")},
		{"type-enum", decorated(&flyte.LiteralType{Type: &flyte.LiteralType_EnumType{
			EnumType: &flyte.EnumType{Values: []string{"a"}}}}, "enum")},
		{"type-dataset", decorated(&flyte.LiteralType{Type: &flyte.LiteralType_StructuredDatasetType{
			StructuredDatasetType: &flyte.StructuredDatasetType{Format: "parquet",
				Columns: []*flyte.StructuredDatasetType_DatasetColumn{
					{Name: "x", LiteralType: decorated(simple(flyte.SimpleType_FLOAT), "x")}}}}}, "sd")},
		{"type-union", decorated(&flyte.LiteralType{Type: &flyte.LiteralType_UnionType{
			UnionType: &flyte.UnionType{Variants: []*flyte.LiteralType{
				decorated(simple(flyte.SimpleType_INTEGER), "int"),
				{Type: &flyte.LiteralType_Simple{Simple: flyte.SimpleType_NONE},
					Structure: &flyte.TypeStructure{Tag: "none"}},
			}}}}, "union")},
		{"type-dataclass", &flyte.LiteralType{Type: &flyte.LiteralType_Simple{Simple: flyte.SimpleType_STRUCT},
			Metadata: structOf(map[string]*structpb.Value{"title": text("Point")}),
			Structure: &flyte.TypeStructure{Tag: "Point", DataclassType: map[string]*flyte.LiteralType{
				"y": decorated(simple(flyte.SimpleType_FLOAT), "y"),
				"x": decorated(simple(flyte.SimpleType_FLOAT), "x"),
			}}}},
	}
}

func binding(data *flyte.ArtifactBindingData) *flyte.LabelValue {
	return &flyte.LabelValue{Value: &flyte.LabelValue_TriggeredBinding{TriggeredBinding: data}}
}

func interfaces() []fixture {
	partitions := &flyte.Partitions{Value: map[string]*flyte.LabelValue{
		"static": static("s"),
		"time": {Value: &flyte.LabelValue_TimeValue{
			TimeValue: &timestamppb.Timestamp{Seconds: 1700000000}}},
		"key": binding(&flyte.ArtifactBindingData{
			PartitionData: &flyte.ArtifactBindingData_PartitionKey{PartitionKey: "region"},
			TimeTransform: &flyte.TimeTransform{Transform: "P1D", Op: flyte.Operator_MINUS}}),
		"totime": binding(&flyte.ArtifactBindingData{
			PartitionData: &flyte.ArtifactBindingData_BindToTimePartition{BindToTimePartition: true},
			TimeTransform: &flyte.TimeTransform{Transform: "PT1H", Op: flyte.Operator_PLUS}}),
		"nodata": binding(&flyte.ArtifactBindingData{
			TimeTransform: &flyte.TimeTransform{Transform: "P1M"}}),
		"input":   {Value: &flyte.LabelValue_InputBinding{InputBinding: &flyte.InputBindingData{Var: "x"}}},
		"runtime": {Value: &flyte.LabelValue_RuntimeBinding{RuntimeBinding: &flyte.RuntimeBinding{}}},
	}}
	iface := &flyte.TypedInterface{
		Inputs: &flyte.VariableMap{Variables: map[string]*flyte.Variable{
			"a": {Type: decorated(simple(flyte.SimpleType_INTEGER), "a"), Description: "plain"},
			"b": {Type: simple(flyte.SimpleType_STRING),
				ArtifactPartialId: &flyte.ArtifactID{ArtifactKey: key("in"), Version: "v1",
					Partitions: partitions,
					TimePartition: &flyte.TimePartition{Value: static("2024-01-01"),
						Granularity: flyte.Granularity_DAY}}},
		}},
		Outputs: &flyte.VariableMap{Variables: map[string]*flyte.Variable{
			"o": {Type: decorated(&flyte.LiteralType{Type: &flyte.LiteralType_Blob{
				Blob: &flyte.BlobType{Format: "parquet"}}}, "o"),
				Description: "the output",
				ArtifactPartialId: &flyte.ArtifactID{ArtifactKey: key("out"),
					TimePartition: &flyte.TimePartition{Value: binding(&flyte.ArtifactBindingData{
						PartitionData: &flyte.ArtifactBindingData_BindToTimePartition{BindToTimePartition: false}}),
						Granularity: flyte.Granularity_MONTH}},
				ArtifactTag: &flyte.ArtifactTag{ArtifactKey: key("out"), Value: static("latest")}},
			"t": {Type: simple(flyte.SimpleType_NONE),
				ArtifactTag: &flyte.ArtifactTag{ArtifactKey: &flyte.ArtifactKey{},
					Value: &flyte.LabelValue{Value: &flyte.LabelValue_InputBinding{
						InputBinding: &flyte.InputBindingData{}}}}},
		}},
	}
	return []fixture{{"iface-artifacts", iface}}
}

// Struct numbers that are NaN or infinite, which Go writes like any double.
func nonFinite() []fixture {
	return []fixture{{"map-struct-nonfinite", &flyte.LiteralMap{Literals: map[string]*flyte.Literal{
		"s": scalar(&flyte.Scalar{Value: &flyte.Scalar_Generic{Generic: structOf(map[string]*structpb.Value{
			"nan":  num(math.NaN()),
			"inf":  num(math.Inf(1)),
			"ninf": num(math.Inf(-1)),
			"list": {Kind: &structpb.Value_ListValue{ListValue: &structpb.ListValue{
				Values: []*structpb.Value{num(math.Inf(1)), num(2)}}}},
		})}}),
	}}}}
}

func writeFixtures(dir string) {
	var all []fixture
	all = append(all, literals()...)
	all = append(all, types()...)
	all = append(all, interfaces()...)
	all = append(all, nonFinite()...)
	for _, f := range all {
		path := filepath.Join(dir, f.name+".pb")
		if err := ioutil.WriteFile(path, marshal(f.msg), 0o644); err != nil {
			panic(err)
		}
	}
}

func reencode(typeName, path string) {
	t, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(typeName))
	if err != nil {
		panic(err)
	}
	msg := t.New().Interface()
	data, err := ioutil.ReadFile(path)
	if err != nil {
		panic(err)
	}
	if err := proto.Unmarshal(data, msg); err != nil {
		panic(err)
	}
	if err := ioutil.WriteFile(path, marshal(msg), 0o644); err != nil {
		panic(err)
	}
}

func main() {
	switch {
	case len(os.Args) == 3 && os.Args[1] == "fixtures":
		writeFixtures(os.Args[2])
	case len(os.Args) == 4 && os.Args[1] == "reencode":
		reencode(os.Args[2], os.Args[3])
	default:
		fmt.Fprintln(os.Stderr, "usage: gen-fixtures-go fixtures DIR | reencode TYPE FILE")
		os.Exit(2)
	}
}
