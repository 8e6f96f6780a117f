"""Forget cached API clients when they change, so revocation and rotation take effect at once."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from gorodok_platform.integrations.auth import client_cache_key
from gorodok_platform.integrations.models import ApiClient


@receiver(pre_save, sender=ApiClient)
def _forget_previous_key(sender, instance: ApiClient, **kwargs) -> None:
    if instance.pk:
        previous = ApiClient.objects.filter(pk=instance.pk).values_list("key_id", flat=True).first()
        if previous and previous != instance.key_id:
            cache.delete(client_cache_key(previous))


@receiver(post_save, sender=ApiClient)
@receiver(post_delete, sender=ApiClient)
def _forget_client(sender, instance: ApiClient, **kwargs) -> None:
    cache.delete(client_cache_key(instance.key_id))
