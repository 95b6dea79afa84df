import yaml
from django.core.management import call_command


def test_the_schema_validates_without_warnings_and_describes_everything(tmp_path, db):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    undescribed_operations = [
        f"{method.upper()} {url}"
        for url, item in schema["paths"].items()
        for method, operation in item.items()
        if not operation.get("description")
    ]
    assert undescribed_operations == []
    undescribed_fields = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, spec in component.get("properties", {}).items()
        if "description" not in spec and not ("allOf" in spec or "$ref" in spec)
    ]
    assert undescribed_fields == []


def test_the_write_operations_document_conflict_and_lock(db, client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    post = schema["paths"]["/api/goals/status-updates/"]["post"]["responses"]
    assert {"201", "400", "403", "409", "423"} <= set(post)
    put = schema["paths"]["/api/goals/status-updates/{id}/"]["put"]["responses"]
    assert {"200", "409", "423"} <= set(put)
