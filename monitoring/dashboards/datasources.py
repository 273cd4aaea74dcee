"""The two Grafana datasources, referenced by fixed uids so dashboards never depend on names.

`deploy/grafana/provisioning/datasources/datasources.yml` creates them with these uids; every
panel and query names its datasource by uid.
"""

from dataclasses import dataclass

from grafana_foundation_sdk.models.common import DataSourceRef


@dataclass(frozen=True)
class Datasource:
    name: str
    type: str
    uid: str
    url: str
    is_default: bool = False

    @property
    def ref(self) -> DataSourceRef:
        return DataSourceRef(type_val=self.type, uid=self.uid)


PROMETHEUS = Datasource(
    name="Prometheus", type="prometheus", uid="prometheus", url="http://prometheus:9090", is_default=True
)
LOKI = Datasource(name="Loki", type="loki", uid="loki", url="http://loki:3100")

DATASOURCES = (PROMETHEUS, LOKI)
