import { numberShapesOf, typeShape, withNumbers } from "../../src/terraform/value-numbers";

// Where a provider's values hold numbers, from its schema: what turns the
// plan file's decimal text (0.01) back into a number, and leaves strings that
// look like numbers ("300") alone.

const schema = {
  provider_schemas: {
    "registry.terraform.io/hashicorp/aws": {
      resource_schemas: {
        aws_cloudwatch_metric_alarm: {
          block: {
            attributes: { threshold: { type: "number" }, alarm_name: { type: "string" }, dimensions: { type: ["map", "string"] } },
            block_types: {
              metric_query: {
                nesting_mode: "set",
                block: {
                  attributes: { id: { type: "string" } },
                  block_types: { metric: { nesting_mode: "list", block: { attributes: { period: { type: "number" } } } } },
                },
              },
            },
          },
        },
        aws_vpc: { block: { attributes: { cidr_block: { type: "string" } } } },
        framework_resource: {
          block: { attributes: { weights: { nested_type: { nesting_mode: "map", attributes: { weight: { type: "number" }, label: { type: "string" } } } } } },
        },
      },
      data_source_schemas: { aws_region: { block: { attributes: { name: { type: "string" } } } } },
    },
  },
};

describe("number shapes from a provider schema", () => {
  const shapes = numberShapesOf(schema);

  it("keep every type, with null where it holds no number", () => {
    expect(shapes.resources.aws_vpc).toBeNull();
    expect(shapes.dataSources).toEqual({ aws_region: null });
    expect(shapes.resources.aws_cloudwatch_metric_alarm).toEqual({
      object: { threshold: true, metric_query: { list: { object: { metric: { list: { object: { period: true } } } } } } },
    });
  });

  it("turn decimal text into numbers where the schema says number, through blocks, nested attributes and collections", () => {
    const alarm = { threshold: "0.01", alarm_name: "0.01", dimensions: { rate: "0.5" }, metric_query: [{ id: "1.5", metric: [{ period: 60 }] }] };
    expect(withNumbers(alarm, shapes.resources.aws_cloudwatch_metric_alarm)).toEqual({ ...alarm, threshold: 0.01 });
    expect(withNumbers({ weights: { a: { weight: "0.25", label: "0.25" } } }, shapes.resources.framework_resource)).toEqual({
      weights: { a: { weight: 0.25, label: "0.25" } },
    });
    expect(withNumbers({ threshold: null, metric_query: null }, shapes.resources.aws_cloudwatch_metric_alarm)).toEqual({ threshold: null, metric_query: null });
  });

  it("read cty type expressions, as a dynamic value carries its type", () => {
    expect(typeShape("string")).toBeNull();
    expect(typeShape(["list", "number"])).toEqual({ list: true });
    expect(typeShape(["object", { a: "number", b: "string" }])).toEqual({ object: { a: true } });
    expect(typeShape(["tuple", ["string", "number"]])).toEqual({ tuple: [null, true] });
    expect(withNumbers(["x", "0.1"], typeShape(["tuple", ["string", "number"]]))).toEqual(["x", 0.1]);
  });
});
