import { templateReferences } from "../../src/terraform/saved-plan";

// What the plan file reader takes a resource's references from: the JSON
// configuration saved in the plan, whose strings are Terraform templates.

describe("the references of a JSON template", () => {
  it("are each traversal and its resource, in order, including in a string literal's own template", () => {
    expect(templateReferences("${aws_subnet.a.id}/${data.aws_region.current.name}")).toEqual([
      "aws_subnet.a.id",
      "aws_subnet.a",
      "data.aws_region.current.name",
      "data.aws_region.current",
    ]);
    expect(templateReferences("${base64encode(\"host='${aws_db_instance.db.address}'\\n\")}")).toEqual(["aws_db_instance.db.address", "aws_db_instance.db"]);
    expect(templateReferences("${aws_instance.web[0].private_ip}")).toEqual(["aws_instance.web[0].private_ip", "aws_instance.web"]);
  });

  it("are not found in text: literal text, escaped interpolations, or dotted words inside a string literal", () => {
    expect(templateReferences("aws_subnet.a.id")).toStrictEqual([]);
    expect(templateReferences("$${aws_subnet.a.id}")).toStrictEqual([]);
    expect(templateReferences('${replace(var.name, "aws_x.y", "")}')).toEqual(["var.name"]);
    expect(templateReferences('${jsonencode({ Version = "2012-10-17" })}')).toStrictEqual([]);
  });
});
