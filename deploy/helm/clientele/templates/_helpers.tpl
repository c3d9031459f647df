{{/* Names and labels shared by every template. */}}

{{- define "clientele.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "clientele.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The name of one service's objects; call with (dict "root" $ "service" "loyalty"). */}}
{{- define "clientele.serviceName" -}}
{{- printf "%s-%s" (include "clientele.fullname" .root) .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "clientele.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clientele.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{- define "clientele.labels" -}}
{{ include "clientele.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: clientele
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Labels of objects that belong to no one service (the Secret). */}}
{{- define "clientele.releaseLabels" -}}
app.kubernetes.io/name: {{ include "clientele.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: clientele
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The env prefix of a service's settings class: REGISTRY_, LOYALTY_, ... */}}
{{- define "clientele.envPrefix" -}}
{{- printf "%s_" (upper .) -}}
{{- end -}}

{{- define "clientele.url" -}}
{{- $svc := index .root.Values.services .service -}}
{{- printf "http://%s:%v" (include "clientele.serviceName" .) $svc.port -}}
{{- end -}}

{{- define "clientele.secretName" -}}
{{- default (printf "%s-secrets" (include "clientele.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* The partitions of a logical topic: an explicit count first, else the declared one. */}}
{{- define "clientele.partitions" -}}
{{- $counts := .root.Values.kafka.topicPartitions | default dict -}}
{{- if hasKey $counts .topic -}}
{{- index $counts .topic -}}
{{- else -}}
{{- .root.Values.kafka.partitions -}}
{{- end -}}
{{- end -}}
