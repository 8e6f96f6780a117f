"""Keep the routing cache true when municipalities or their hosts change."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from gorodok_tenants.models import Domain, Municipality
from gorodok_tenants.routing import forget_hosts


@receiver(pre_save, sender=Domain)
def _domain_renamed(sender, instance: Domain, **kwargs) -> None:
    if instance.pk:
        previous = Domain.objects.filter(pk=instance.pk).values_list("domain", flat=True).first()
        if previous and previous != instance.domain:
            forget_hosts(previous)


@receiver(post_save, sender=Domain)
@receiver(post_delete, sender=Domain)
def _domain_changed(sender, instance: Domain, **kwargs) -> None:
    forget_hosts(instance.domain)


@receiver(post_save, sender=Municipality)
@receiver(post_delete, sender=Municipality)
def _municipality_changed(sender, instance: Municipality, **kwargs) -> None:
    if instance.pk:
        forget_hosts(*Domain.objects.filter(tenant_id=instance.pk).values_list("domain", flat=True))
