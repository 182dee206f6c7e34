#!/usr/bin/env python3
"""Writes k8s/components/monitoring/prometheusrule.yaml from deploy/prometheus/lethe-alerts.yml (needs python3-yaml).

The alert rules have one source, this directory; KubernetesManifestsTest fails when the
PrometheusRule's groups differ from it. Run: python3 deploy/prometheus/render-prometheusrule.py
"""
import pathlib
import yaml

here = pathlib.Path(__file__).resolve().parent
rules = yaml.safe_load((here / "lethe-alerts.yml").read_text())
doc = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "lethe", "labels": {"app.kubernetes.io/name": "lethe", "release": "kube-prometheus-stack"}}, "spec": rules}
head = ("# Generated from deploy/prometheus/lethe-alerts.yml by deploy/prometheus/render-prometheusrule.py;\n"
        "# KubernetesManifestsTest fails when the two differ. Edit the source, then re-run the script.\n")
(here.parent.parent / "k8s" / "components" / "monitoring" / "prometheusrule.yaml").write_text(head + yaml.safe_dump(doc, sort_keys=False, width=120))
