from django.db import models


class Toy(models.Model):
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    polished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
